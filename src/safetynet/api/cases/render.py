"""The case API's renderers: a lead, a case and its records, a message, an assessment as the JSON
objects that `schemas` declares. Shared by every case endpoint module."""

from __future__ import annotations

from safetynet.assessments.selectors import explained_result
from safetynet.cases import selectors, workflow
from safetynet.cases.models import Case, Channel, Lead
from safetynet.core import clock
from safetynet.core.masking import mask_name


def _area(a) -> dict | None:
    return {"code": a.code, "name": a.name} if a else None


def lead_out(lead: Lead, days_since: int | None = None) -> dict:
    return {
        "id": lead.pk,
        "reference": lead.reference,
        "channel": lead.channel,
        "channel_label": Channel(lead.channel).label,
        "village": _area(lead.village),
        "household_id": lead.household_id,
        "case_id": lead.case_id,
        "subject_name": mask_name(lead.subject_name),
        "summary": lead.summary,
        "department": lead.department,
        "rule": lead.rule,
        "status": lead.status,
        "received_at": lead.received_at,
        "days_since": days_since,
        "assigned_to": lead.assigned_to.username if lead.assigned_to_id else None,
        "assigned_to_name": (lead.assigned_to.display_name or lead.assigned_to.username)
        if lead.assigned_to_id
        else None,
        "assigned_at": lead.assigned_at,
    }


def _allowed(user, case: Case) -> list[str]:
    return [t.name for t in workflow.available(case.state, case.kind) if user.can(t.perm)]


def case_out(user, case: Case, *, detail: bool = False, dossier: selectors.Dossier | None = None) -> dict:
    """A case; with `detail`, its records. A `dossier` (the case page's read model) brings the case
    with its records prefetched, its clock and what the user may do."""
    k = dossier.clock if dossier else selectors.clock(case, clock.today())
    out = {
        "id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "state": case.state,
        "state_label": workflow.STATE_LABELS[workflow.State(case.state)],
        "version": case.version,
        "round": case.round,
        "household_id": case.household_id,
        "village": _area(case.household.village),
        "township": _area(case.household.village.parent),
        "applicant_name": mask_name(case.applicant_name),
        "accepted_on": case.accepted_on,
        "deadline": case.deadline,
        "deadline_provisional": case.deadline_provisional,
        "extended": case.extended,
        "remaining_working_days": k.remaining,
        "due_soon": k.due_soon,
        "overdue": k.overdue,
        "closed_on": case.closed_on,
        "allowed_transitions": dossier.allowed if dossier else (_allowed(user, case) if case.is_open else []),
    }
    if detail:
        out["records"] = case_records(case)
    return out


def _current_results(case: Case):
    prefetched = getattr(case, "current_results", None)  # the dossier's
    if prefetched is not None:
        return prefetched
    return case.verification_results.filter(superseded_by__isnull=True)


def case_records(case: Case) -> dict:
    def money(v):
        return str(v)

    decision_rows = []
    for d in case.decisions.all():
        decision_rows.append(
            {
                "id": d.pk,
                "round": d.round,
                "outcome": d.outcome,
                "overridden": d.overridden,
                "override_reason": d.override_reason,
                "category": d.category,
                "monitoring_marked": d.monitoring_marked,
                "monitoring_type": d.monitoring_type,
                "benefit_monthly": money(d.benefit_monthly),
                "members": [{**m, "name": mask_name(m.get("name", ""))} for m in d.members],
                "publishes": d.publishes,
                "assessment_id": d.assessment_id,
                "parameters_version": d.parameters_version,
                "parameters_digest": d.parameters_digest,
                "rule_set_version": d.rule_set_version,
                "proposal": d.proposal.get("_proposal"),
                "verification": d.verification,
                "decided_on": d.decided_on,
            }
        )
    letter = getattr(case, "refusal_letter", None) if hasattr(case, "refusal_letter") else None
    return {
        "leads": [lead_out(x) for x in case.leads.all()],
        "transitions": [
            {
                "name": t.name,
                "from": t.from_state,
                "to": t.to_state,
                "round": t.round,
                "actor": t.actor_name,
                "role": t.actor_role,
                "on": t.on,
                "at": t.at,
                "reason": t.reason,
            }
            for t in case.transitions.all()
        ],
        "attachments": [
            {
                "id": a.pk,
                "kind": a.kind,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "round": a.round,
                "uploaded_at": a.uploaded_at,
            }
            for a in case.attachments.all()
        ],
        "investigations": [
            {
                "id": i.pk,
                "round": i.round,
                "visited_on": i.visited_on,
                "investigators": i.investigators,
                "hardship_causes": i.hardship_causes,
                "risk": i.risk,
                "members": len(i.members),
                "notes": i.notes,
            }
            for i in case.investigations.all()
        ],
        "verification_results": [
            {
                "id": v.pk,
                "round": v.round,
                "person_id": v.person_id,
                "outcome": v.outcome,
                "sources": v.sources,
                "summary": v.summary,
                "origin": v.origin,
                "external_ref": v.external_ref,
            }
            # the current result per member and round; superseded ones stay in the database
            for v in _current_results(case)
        ],
        "village_reviews": [
            {
                "id": r.pk,
                "round": r.round,
                "held_on": r.held_on,
                "attendee_count": r.attendee_count,
                "votes_for": r.votes_for,
                "votes_against": r.votes_against,
                "abstentions": r.abstentions,
                "result": r.result,
                "qualifies": r.qualifies,
                "record_id": r.record_id,
            }
            for r in case.village_reviews.all()
        ],
        "decisions": decision_rows,
        "leading_group_decisions": [
            {
                "id": g.pk,
                "round": g.round,
                "approved": g.approved,
                "meeting": g.meeting,
                "opinion": g.opinion,
                "decided_on": g.decided_on,
            }
            for g in case.leading_group_decisions.all()
        ],
        "notices": [
            {
                "id": n.pk,
                "round": n.round,
                "starts_on": n.starts_on,
                "earliest_close": n.earliest_close,
                "min_days": n.min_days,
                "status": n.status,
                "closed_on": n.closed_on,
                "entries": n.entries,
            }
            for n in case.notices.all()
        ],
        "objections": [
            {"id": o.pk, "received_on": o.received_on, "content": o.content} for o in case.objections.all()
        ],
        "extensions": [
            {"id": e.pk, "status": e.status, "reason": e.reason, "new_deadline": e.new_deadline}
            for e in case.extensions.all()
        ],
        "refusal_letter": (
            {
                "step": letter.step,
                "reason": letter.reason,
                "issued_on": letter.issued_on,
                "explain_by": letter.explain_by,
                "explain_by_provisional": letter.explain_by_provisional,
                "text": letter.text,
            }
            if letter
            else None
        ),
        "entitlements": [entitlement_out(e) for e in case.entitlements.all()],
        "change_decisions": [
            {
                "id": d.pk,
                "round": d.round,
                "outcome": d.outcome,
                "overridden": d.overridden,
                "terms": d.terms,
                "proposal": d.proposal,
                "gradual_exit_months": d.gradual_exit_months,
                "effective_from": d.effective_from,
                "reason": d.reason,
                "stop_notice_ends": d.stop_notice_ends,
                "decided_on": d.decided_on,
                "active": d.active,
            }
            for d in case.change_decisions.all()
        ],
        "letters": [
            {"id": x.pk, "kind": x.kind, "title": x.title, "text": x.text, "issued_on": x.issued_on}
            for x in case.letters.all()
        ],
        "messages": [message_out(m) for m in case.messages.all()],
    }


def message_out(m) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "recipient": mask_name(m.recipient_name),
        "body": m.body,
        "status": m.status,
        "channel": m.channel,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
    }


def get_case(request, case_id) -> Case:
    return selectors.get_case(request.auth, case_id)


def detail_of(request, case_id) -> dict:
    d = selectors.dossier(request.auth, case_id, today=clock.today())
    return case_out(request.auth, d.case, detail=True, dossier=d)


def assessment_out(a) -> dict:
    return {
        "id": a.pk,
        "assessed_on": a.assessed_on,
        "category": a.category,
        "monitoring_type": a.monitoring_type,
        "benefit_monthly": str(a.benefit_monthly),
        "refer_other_low_income": a.refer_other_low_income,
        "parameters_version": a.parameters_version,
        "parameters_digest": a.parameters_digest,
        "rule_set_version": a.rule_set_version,
        "verification": a.verification,
        "result": explained_result(a),
    }


def entitlement_out(e) -> dict:
    """One row of the entitlement timeline (entitlements.models.Entitlement)."""
    return {
        "id": e.pk,
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "category": e.category,
        "monitoring_marked": e.monitoring_marked,
        "monitoring_type": e.monitoring_type,
        "benefit_monthly": str(e.benefit_monthly),
        "basis": e.basis,
        "end_basis": e.end_basis,
        "decided_on": e.decided_on,
        "review_due": e.review_due,
        "parameters_version": e.parameters_version,
        "case_id": e.case_id,
    }
