"""乡镇审核确认 and the county leading group's decision on referrals; the engine's proposal.

What a township decision records is built and validated here (`decision_fields`) and made to
take effect here (`take_effect`); the review group records and confirms it in a sitting
(`sitting`)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.assessments import services as assessments
from safetynet.assessments.models import Assessment
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import selectors
from safetynet.cases.models import (
    Case,
    LeadingGroupDecision,
    TownshipDecision,
)
from safetynet.cases.services.base import (
    BENEFIT_CATEGORIES,
    MEMBER_BENEFIT_CATEGORIES,
    _counted_members,
    _fire,
    _lock,
    _params,
    _refuse_locked,
    _require_state,
)
from safetynet.cases.services.checks import _require, _text
from safetynet.cases.services.notice import _open_notice
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    ValidationFailed,
)
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.core.money import parse_yuan
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.registry import selectors as registry_selectors

# ---- township decision ---------------------------------------------------------------------------


def _assess(*, user, case: Case, client: str = "") -> Assessment:
    """The engine on this round's facts: the verified input of the round's verification report
    (declared and verified values, which was used, provenance stored with the assessment), or the
    household's declared facts when the round has no report (results entered by hand)."""
    from safetynet.verification.report import verified_input

    report = selectors.verification_report(case)
    if report is None:
        return assessments.assess_household(
            user=user, household_id=case.household_id, on=clock.today(), client=client
        )
    data, comparison = verified_input(case.household, report.report)
    return assessments.assess_household(
        user=user,
        household_id=case.household_id,
        on=clock.today(),
        inputs=data,
        verification={
            "report": report.pk,
            "requested_at": report.requested_at.isoformat(),
            "sources": report.report.get("sources", {}),
            "comparison": comparison,
        },
        client=client,
    )


def propose(*, user, case, client: str = "") -> Assessment:
    """Run the policy engine now and store it (the proposal): on the verified input when this
    round has a verification report, else on the household's declared facts."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.TOWNSHIP_DECIDE, "测算")
    _require_state(case, State.TOWNSHIP_DECISION)
    return _assess(user=user, case=case, client=client)


def _money(value, field: str) -> Decimal:
    return parse_yuan(value, field, blank_is_zero=False)


def proposal_values(assessment: Assessment, household) -> dict:
    r = assessment.result
    names = {str(m.person_id): m.person.name for m in registry_selectors.current_members(household)}
    members = [
        {
            "person_id": int(m["id"]),
            "name": names.get(str(m["id"]), ""),
            "category": m["category"],
            "benefit_monthly": str(m.get("benefit_monthly") or 0),
        }
        for m in r.get("members", [])
        if m.get("category")
    ]
    category = r["category"]
    if category == "none" and r.get("refer_other_low_income"):
        category = "other_low_income"
    return {
        "category": category,
        "monitoring_marked": bool(r["monitoring"]["marked"]),
        "monitoring_type": r["monitoring"]["type"] or "",
        "benefit_monthly": str(r["benefit_monthly"]),
        "members": members,
    }


def _clean_override(values: dict, household) -> dict:
    category = values.get("category")
    if category not in CATEGORY_LABELS or category == "individual_dibao":
        raise ValidationFailed("认定类别无效。", field="category")
    counted = {m.person_id: m.person.name for m in _counted_members(household)}
    members = []
    for i, m in enumerate(values.get("members") or []):
        pid = m.get("person_id")
        if pid not in counted:
            raise ValidationFailed("该人员不是本户计入的共同生活家庭成员。", field=f"members[{i}].person_id")
        if m.get("category") not in MEMBER_BENEFIT_CATEGORIES:
            raise ValidationFailed("成员单独认定类别应为单人保或特困。", field=f"members[{i}].category")
        if category not in ("dibao_edge", "rigid_hardship"):
            raise ValidationFailed(
                "只有边缘、刚性支出困难家庭中的成员可以单独认定。", field=f"members[{i}].category"
            )
        members.append(
            {
                "person_id": pid,
                "name": counted[pid],
                "category": m["category"],
                "benefit_monthly": str(_money(m.get("benefit_monthly", 0), f"members[{i}].benefit_monthly")),
            }
        )
    mtype = values.get("monitoring_type") or ""
    marked = bool(values.get("monitoring_marked"))
    if marked and mtype not in MONITORING_TYPES:
        raise ValidationFailed("请选择防返贫监测对象类型。", field="monitoring_type")
    if not marked:
        mtype = ""
    benefit = _money(values.get("benefit_monthly", 0), "benefit_monthly")
    if category in ("none", "other_low_income") and benefit:
        raise ValidationFailed("该类别没有基本生活救助金额。", field="benefit_monthly")
    return {
        "category": category,
        "monitoring_marked": marked,
        "monitoring_type": mtype,
        "benefit_monthly": str(benefit),
        "members": members,
    }


def _publishes(values: dict) -> bool:
    """谁救助谁公示: only a benefit is published; recognition as 边缘 or the monitoring mark alone is not."""
    if values["category"] in BENEFIT_CATEGORIES:
        return True
    return (
        any(m["category"] in MEMBER_BENEFIT_CATEGORIES for m in values["members"])
        or Decimal(values["benefit_monthly"]) > 0
    )


def decision_fields(
    *, user, case: Case, action: str, assessment_id: int | None, values: dict | None, reason: str, client: str
) -> tuple[dict, dict, Assessment]:
    """What a township decision would record (`action` "confirm" the engine's proposal, assessment
    `assessment_id`, default the current one; or "override" it with `values` and a written
    `reason`), validated, not yet written: the decision's fields, the proposal, the assessment.
    The decision freezes the proposal's inputs, parameter version and digest. During the
    transition period (`monitoring.transition_end`) a monitored household keeps its mark: a
    confirm carries it over, an override that drops it is refused."""
    if action not in ("confirm", "override"):
        raise ValidationFailed("操作应为确认、改变或不予认定。", field="action")
    if assessment_id is not None:
        assessment = Assessment.objects.filter(pk=assessment_id, household=case.household).first()
        if assessment is None or (case.state_changed_at and assessment.created_at < case.state_changed_at):
            raise ValidationFailed(
                "测算结果已过期，请重新测算。", code="stale_proposal", field="assessment_id"
            )
    else:
        assessment = selectors.current_proposal(case) or propose(user=user, case=case, client=client)
    proposal = proposal_values(assessment, case.household)
    closing = case.kind == Case.Kind.RISK_CLOSURE
    if action == "confirm":
        chosen = dict(proposal)
        # A household that is only a 防返贫监测 object (no category, the mark set) is decided too:
        # one decision serves both regimes.
        if chosen["category"] == "none" and not chosen["monitoring_marked"] and not closing:
            raise ValidationFailed(
                "测算结果为不符合条件：请选择不予认定，或改变测算建议并写明理由。",
                code="nothing_to_confirm",
                field="action",
            )
    else:
        reason = _text(reason, "reason", "改变测算建议的理由")
        chosen = _clean_override(values or {}, case.household)
        if chosen["category"] == "none" and not chosen["monitoring_marked"] and not closing:
            raise ValidationFailed("既不纳入救助也不标注防返贫监测的，请选择不予认定。", field="category")
    if closing and chosen["monitoring_marked"]:
        raise ValidationFailed(
            "测算结果仍在防返贫监测范围内，不能标注风险消除，请作出不予认定决定。",
            code="risk_not_closed",
            field="action",
        )
    on = clock.today()
    previous = entitlement_selectors.current_row(case.household, on)
    transition_end = _params(case.household.village.code, on)["monitoring.transition_end"]
    kept = False
    if previous and previous.monitoring_marked and not chosen["monitoring_marked"] and not closing:
        # Not inside the transition period, and after it only through risk closure (POLICY.md §8).
        if action == "override":
            inside = on <= transition_end
            raise ValidationFailed(
                f"过渡期内（{transition_end.isoformat()}前）防返贫监测对象不得退出监测。"
                if inside
                else "防返贫监测对象须经风险消除程序方可退出监测。",
                code="monitoring_exit_in_transition" if inside else "monitoring_exit_needs_risk_closure",
                field="monitoring_marked",
            )
        chosen["monitoring_marked"], chosen["monitoring_type"], kept = True, previous.monitoring_type, True
    outcome = "refer" if chosen["category"] == "other_low_income" else "grant"
    fields = {
        "assessment": assessment,
        "outcome": outcome,
        "overridden": action == "override",
        "override_reason": reason if action == "override" else "",
        "category": chosen["category"],
        "monitoring_marked": chosen["monitoring_marked"],
        "monitoring_type": chosen["monitoring_type"],
        "benefit_monthly": Decimal(chosen["benefit_monthly"]),
        "members": chosen["members"],
        "publishes": outcome == "grant" and (closing or _publishes(chosen)),
        "proposal": {**assessment.result, "_proposal": proposal, "_monitoring_kept_in_transition": kept},
        "inputs": assessment.inputs,
        "verification": assessment.verification,
        "parameters_version": assessment.parameters_version,
        "parameters_digest": assessment.parameters_digest,
        "rule_set_version": assessment.rule_set_version,
    }
    return fields, proposal, assessment


def decision_label(decision: TownshipDecision) -> str:
    label = CATEGORY_LABELS[decision.category]
    if decision.category == "none" and decision.monitoring_marked:
        label = (
            f"防返贫监测对象（{MONITORING_TYPES.get(decision.monitoring_type, decision.monitoring_type)}）"
        )
    return label


def take_effect(user, case: Case, decision: TownshipDecision, *, on, panel: str, client: str = "") -> None:
    """The decision takes effect (the leader confirmed its sitting): the case moves on to the
    notice, the county leading group, or county filing without notice. Inside the caller's
    transaction, on a locked case."""
    TownshipDecision.objects.filter(pk=decision.pk).update(effective=True, decided_on=on, panel=panel)
    decision.effective, decision.decided_on, decision.panel = True, on, panel
    text = decision.override_reason or f"确认测算建议：{decision_label(decision)}"
    record = {"decision": decision.pk}
    if decision.outcome == "refer":
        _fire(user, case, "refer_leading_group", reason=text, client=client, record=record)
    elif decision.publishes:
        _fire(user, case, "decide_with_notice", reason=text, client=client, record=record)
        _open_notice(case, decision, on)
    else:
        _fire(user, case, "decide_without_notice", reason=text, client=client, record=record)


def record_leading_group_decision(
    *, user, case, expected_version: int | None, approved: bool, meeting: str, opinion: str, client: str = ""
) -> LeadingGroupDecision:
    """县衔接并轨领导小组 on a 其他低收入人口 referral."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.LEADING_GROUP_DECIDE, "领导小组认定")
    _require_state(case, State.LEADING_GROUP, expected_version=expected_version)
    meeting = _text(meeting, "meeting", "会议及文号", max_length=200)
    opinion = _text(opinion, "opinion", "认定意见")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        row = LeadingGroupDecision.objects.create(
            case=case,
            round=case.round,
            approved=bool(approved),
            meeting=meeting,
            opinion=opinion,
            decided_on=clock.today(),
            decided_by=user,
        )
        record_audit(
            actor=Actor.of(user, client),
            action="case.leading_group_decision",
            object_type="case",
            object_id=case.pk,
            changes={"approved": [None, bool(approved)]},
            reason=opinion,
        )
        if not approved:
            _refuse_locked(user, case, "refuse_by_leading_group", opinion, client)
        else:
            decision = (
                TownshipDecision.objects.filter(case=case, round=case.round, effective=True)
                .order_by("-id")
                .first()
            )
            if decision is None:
                raise ValidationFailed("乡镇审核确认决定未作出。", code="decision_missing")
            name = "leading_group_with_notice" if decision.publishes else "leading_group_without_notice"
            _fire(user, case, name, reason=opinion, client=client, record={"leading_group": row.pk})
            if decision.publishes:
                _open_notice(case, decision, clock.today())
    return row
