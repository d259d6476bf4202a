"""Shared parts of the case services: permission and text checks, the case lock, the facts the
workflow guards read, firing a transition with its record and audit, and the inbox assignment."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from safetynet.assessments import services as assessments
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications, selectors, workflow
from safetynet.cases.models import (
    Attachment,
    Case,
    CaseTransition,
    ChangeDecision,
    Investigation,
    LeadingGroupDecision,
    Notice,
    RefusalLetter,
    TownshipDecision,
    VerificationResult,
    VillageReview,
)
from safetynet.cases.services.checks import _require, _roles_with
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    Conflict,
    ValidationFailed,
)
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.models import Membership
from safetynet.workdays.services import work_calendar

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {
    b"%PDF": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG": ("image/png", "png"),
}


BENEFIT_CATEGORIES = {"tekun", "dibao"}
MEMBER_BENEFIT_CATEGORIES = {"tekun", "individual_dibao"}
# Which permission each open state's work needs, and its label: shared with the task list.
STATE_WORK, WORK_LABELS = workflow.STATE_WORK, workflow.WORK_LABELS


def _params(code: str, on: dt.date):
    return assessments.parameter_set(code).on(on)


def _stale() -> Conflict:
    return Conflict("该案件已被他人处理或修改，请刷新后重试。", code="stale_version", field="version")


def _lock(user, case, expected_version: int | None) -> Case:
    """Re-fetch through the scope and take the optimistic lock: bump the version the user saw.

    On PostgreSQL the UPDATE row lock makes a concurrent writer wait, then find the version gone;
    on SQLite the IMMEDIATE transaction serialises writers the same way."""
    pk = case.pk if isinstance(case, Case) else case
    fresh = selectors.get_case(user, pk) if user is not None else Case.objects.get(pk=pk)
    if expected_version is not None and int(expected_version) != fresh.version:
        raise _stale()
    if not Case.objects.filter(pk=fresh.pk, version=fresh.version).update(version=fresh.version + 1):
        raise _stale()
    fresh.version += 1
    return fresh


def _counted_members(household) -> list[Membership]:
    return list(
        Membership.objects.filter(household=household, left_on__isnull=True, counted=True)
        .select_related("person")
        .order_by("id")
    )


def _facts(case: Case, *, reason: str = "", on: dt.date | None = None) -> workflow.CaseFacts:
    on = on or clock.today()
    r = case.round
    members = _counted_members(case.household)
    verified = set(VerificationResult.objects.filter(case=case, round=r).values_list("person_id", flat=True))
    review = VillageReview.objects.filter(case=case, round=r).order_by("-id").first()
    decision = TownshipDecision.objects.filter(case=case, round=r, effective=True).order_by("-id").first()
    lg = LeadingGroupDecision.objects.filter(case=case, round=r).order_by("-id").first()
    notice = Notice.objects.filter(case=case, round=r, status="open").order_by("-id").first()
    change = (
        ChangeDecision.objects.filter(case=case, round=r, active=True).order_by("-id").first()
        if not case.whole_procedure
        else None
    )
    return workflow.CaseFacts(
        state=case.state,
        today=on,
        has_investigation=Investigation.objects.filter(case=case, round=r).exists(),
        has_consent=Attachment.objects.filter(case=case, kind=Attachment.Kind.CONSENT).exists(),
        members_to_verify=len(members),
        members_verified=sum(1 for m in members if m.person_id in verified),
        review_result=review.result if review else "",
        review_has_record=bool(review and review.record_id),
        qualifies=bool(review and review.qualifies),
        decision_outcome=decision.outcome if decision else "",
        decision_publishes=bool(decision and decision.publishes),
        leading_group_result=("approved" if lg.approved else "rejected") if lg else "",
        notice_starts_on=notice.starts_on if notice else None,
        # the notice's own minimum, fixed when it opened (procedure.notice_min_days of that day)
        notice_min_days=notice.min_days if notice else None,
        open_objection=False,
        reason=reason,
        kind=case.kind,
        change_outcome=change.outcome if change else "",
        stop_notice_ends=change.stop_notice_ends if change else None,
    )


def _assign(case: Case) -> None:
    """Put the case's next step in the inbox of those who do it, in its area."""
    perm = STATE_WORK.get(State(case.state))
    if perm is None:
        return
    users = registry_selectors.users_reaching(case.household.village.code, _roles_with(perm))
    notifications.notify_users(
        users,
        case=case,
        kind="assigned",
        title=f"{case.reference}：{WORK_LABELS[State(case.state)]}（{case.household.village.name}）",
        key=f"case:{case.pk}:{case.state}:{case.round}:{case.version}",
    )


def _fire(
    user,
    case: Case,
    name: str,
    *,
    reason: str = "",
    record: dict | None = None,
    on: dt.date | None = None,
    client: str = "",
    actor: Actor | None = None,
    check_perm: bool = True,
) -> Case:
    """Move a locked case along one transition, inside the caller's transaction."""
    t = workflow.transition(name)
    if check_perm and user is not None:
        _require(user, t.perm, f"“{t.label}”")
    on = on or clock.today()
    refusal = workflow.check(t, _facts(case, reason=reason, on=on))
    if refusal is not None:
        if refusal.code == "invalid_transition":
            raise Conflict(refusal.message, code=refusal.code)
        raise ValidationFailed(
            refusal.message, code=refusal.code, field="reason" if "reason" in refusal.code else None
        )
    before = case.state
    updates = {"state": t.target.value, "state_changed_at": timezone.now()}
    if t.target == State.INVESTIGATION and before != State.ACCEPTED:
        updates["round"] = case.round + 1  # back to investigation: a new round of records
    if t.target in workflow.FINAL:
        updates["closed_on"] = on
    Case.objects.filter(pk=case.pk).update(**updates)
    for k, v in updates.items():
        if k == "state":
            case.move_to(v)
        else:
            setattr(case, k, v)
    actor = actor or Actor.of(user, client)
    CaseTransition.objects.create(
        case=case,
        name=name,
        from_state=before,
        to_state=t.target.value,
        round=case.round,
        actor_id=actor.id,
        actor_name=actor.username,
        actor_role=actor.role,
        on=on,
        reason=reason,
        record=record or {},
    )
    record_audit(
        actor=actor,
        action=f"case.{name}",
        object_type="case",
        object_id=case.pk,
        changes={"state": [before, t.target.value], "version": [case.version - 1, case.version]},
        reason=reason,
    )
    _assign(case)
    return case


def _require_state(case: Case, *states: State, expected_version: int | None = None) -> None:
    """A stale form is told so first (409 stale_version), then a wrong state (409 invalid_state)."""
    if expected_version is not None and int(expected_version) != case.version:
        raise _stale()
    if State(case.state) not in states:
        labels = "、".join(workflow.STATE_LABELS[s] for s in states)
        raise Conflict(
            f"案件当前处于“{workflow.STATE_LABELS[State(case.state)]}”，此记录只能在“{labels}”阶段填写。",
            code="invalid_state",
        )


def _refuse_locked(user, case: Case, name: str, reason: str, client: str) -> RefusalLetter:
    step = case.state
    _fire(user, case, name, reason=reason, client=client)
    on = clock.today()
    params = _params(case.household.village.code, on)
    due = work_calendar().add_working_days(on, int(params["procedure.refusal_explain_working_days"]))
    text = (
        f"{case.applicant_name}：\n您于{case.accepted_on:%Y年%m月%d日}提出的社会救助申请（编号{case.reference}），"
        f"经{workflow.STATE_LABELS[State(step)]}，不予认定。理由如下：\n{reason}\n"
        f"如对本决定有异议，可自收到本告知书之日起{params['procedure.objection_days']}日内申请行政复议，"
        f"或{params['procedure.appeal_months']}个月内提起行政诉讼。"
    )
    letter = RefusalLetter.objects.create(
        case=case,
        step=step,
        reason=reason,
        issued_on=on,
        explain_by=due.date,
        explain_by_provisional=due.provisional,
        text=text,
        issued_by=user,
    )
    notifications.queue_message(
        case,
        "refusal",
        f"您的救助申请（{case.reference}）不予认定，书面告知书将于{due.date:%m月%d日}前送达并当面说明理由。",
    )
    return letter
