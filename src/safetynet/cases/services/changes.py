"""After admission (二(六)2 动态管理, 应保尽保、应退尽退): the township's decision on a change,
review or stop case, the family's objection to a stop, and the county filing that changes the
entitlement timeline. The same case, state machine, audit and area scoping as an application;
no village review, and no notice except for the stop's objection period.

- The engine re-assesses the household on this round's verified facts (`decision._assess`).
- `confirm`: the proposal equals the entitlement in force → the case is archived at once and the
  next review is scheduled (a row with the same terms from the next month, basis 复核).
- `change`: new category, mark or amount (the proposal, or the township's override with reason)
  → county filing opens the new row from the month after the decision; a letter and SMS tell
  the family.
- `stop`: written reason required; a letter and SMS give the family `procedure.stop_objection_days`
  to object; then county filing ends the row from the month after the decision, or, when a 低保
  family's income has risen above the standard, after `dibao.gradual_exit_months` of 渐退.
  防返贫监测对象 are not exited inside the transition period (`monitoring.transition_end`); after
  it, only through risk closure (an application case with village review and notice).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications, selectors
from safetynet.cases.models import Case, ChangeDecision, Letter
from safetynet.cases.services.base import _fire, _lock, _params, _require_state
from safetynet.cases.services.checks import _require, _text
from safetynet.cases.services.decision import _assess, _clean_override, proposal_values
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import Conflict, ValidationFailed
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.entitlements import services as entitlements
from safetynet.entitlements.models import Basis, Entitlement
from safetynet.entitlements.schedule import add_months, month_after

ACTIONS = ("confirm", "change", "stop")


def _terms(values: dict) -> entitlements.Terms:
    return entitlements.Terms(
        category=values["category"],
        monitoring_marked=bool(values["monitoring_marked"]),
        monitoring_type=values.get("monitoring_type") or "",
        benefit_monthly=Decimal(str(values["benefit_monthly"])),
        members=tuple(
            entitlements.MemberPart(
                person_id=int(m["person_id"]),
                category=m.get("category", ""),
                care_tier=m.get("care_tier", ""),
                benefit_monthly=Decimal(str(m.get("benefit_monthly") or 0)),
            )
            for m in values.get("members") or ()
        ),
    )


def _row_values(row: Entitlement) -> dict:
    return {
        "category": row.category,
        "monitoring_marked": row.monitoring_marked,
        "monitoring_type": row.monitoring_type,
        "benefit_monthly": str(row.benefit_monthly),
        "members": [
            {
                "person_id": m.person_id,
                "category": m.category,
                "care_tier": m.care_tier,
                "benefit_monthly": str(m.benefit_monthly),
            }
            for m in row.members.all()
            if m.category != row.category
        ],
    }


def describe(values: dict) -> str:
    """Terms in plain words: 低保，每月 1,200 元；防返贫监测对象（边缘易致贫户）."""
    if not values:
        return "不再享受"
    category = values["category"]
    text = CATEGORY_LABELS.get(category, category) if category != "none" else "不享受救助待遇"
    amount = Decimal(str(values.get("benefit_monthly") or 0))
    if amount:
        text += f"，每月 {amount:,.2f} 元"
    if values.get("monitoring_marked"):
        text += f"；防返贫监测对象（{MONITORING_TYPES.get(values.get('monitoring_type'), '')}）"
    return text


def _letter(user, case: Case, kind: str, title: str, body: str, sms: str) -> Letter:
    on = clock.today()
    name = case.applicant_name or (case.household.head.name if case.household.head_id else "")
    letter = Letter.objects.create(
        household=case.household,
        case=case,
        kind=kind,
        recipient_name=name,
        title=title,
        text=f"{name}：\n{body}\n\n乡宁县{case.household.village.parent.name}人民政府\n{on:%Y年%m月%d日}",
        issued_on=on,
        issued_by=user,
    )
    notifications.queue_message(case, "change", sms)
    return letter


def _monitoring_guard(before: Entitlement, values: dict, on: dt.date, transition_end: dt.date) -> None:
    if before.monitoring_marked and not values.get("monitoring_marked"):
        if on <= transition_end:
            raise ValidationFailed(
                f"过渡期内（{transition_end:%Y年%m月%d日}前）防返贫监测对象不得退出监测。",
                code="monitoring_exit_in_transition",
                field="monitoring_marked",
            )
        raise ValidationFailed(
            "防返贫监测对象须经风险消除程序（收入持续稳定超过监测线、村级评议并公示）方可退出监测，"
            "请按认定程序办理风险消除。",
            code="monitoring_exit_needs_risk_closure",
            field="monitoring_marked",
        )


def decide(
    *,
    user,
    case,
    expected_version: int | None,
    action: str,
    reason: str = "",
    values: dict | None = None,
    client: str = "",
) -> ChangeDecision:
    """乡镇审核确认 of a change, review or stop case (see the module's text)."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.TOWNSHIP_DECIDE, "审核确认")
    if case.whole_procedure:
        raise Conflict("申请认定案件请通过审核确认小组会议决定。", code="kind_mismatch")
    _require_state(case, State.TOWNSHIP_DECISION, expected_version=expected_version)
    if action not in ACTIONS:
        raise ValidationFailed("请选择确认无变化、变更待遇或停发。", field="action")
    on = clock.today()
    before = entitlement_selectors.current_row(case.household, on)
    if before is None:
        raise ValidationFailed("该户当前没有享受中的待遇，无需复核或变更。", code="no_current_row")
    params = _params(case.household.village.code, on)
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        assessment = _assess(user=user, case=case, client=client)
        proposal = proposal_values(assessment, case.household)
        current = _row_values(before)
        same = _terms(proposal).same_as(before)
        effective_from, gradual, terms, overridden = month_after(on), 0, {}, False
        if action == "confirm":
            if not same:
                raise ValidationFailed(
                    f"测算结果（{describe(proposal)}）与现享受待遇（{describe(current)}）不一致，"
                    "请作出变更或停发决定。",
                    code="result_changed",
                    field="action",
                )
            outcome, terms = "unchanged", current
        elif action == "change":
            overridden = bool(values)
            if overridden:
                reason = _text(reason, "reason", "改变测算建议的理由")
                terms = _clean_override(values, case.household)
            else:
                terms = proposal
            if terms["category"] == "none" and not terms["monitoring_marked"]:
                raise ValidationFailed(
                    "测算结果为不再享受任何待遇，请作出停发决定。", code="use_stop", field="action"
                )
            _monitoring_guard(before, terms, on, params["monitoring.transition_end"])
            if _terms(terms).same_as(before):
                raise ValidationFailed(
                    "变更后的待遇与现享受待遇相同，请确认无变化。", code="no_change", field="action"
                )
            outcome = "change"
        else:
            reason = _text(reason, "reason", "停发（退出）的书面理由")
            _monitoring_guard(before, {}, on, params["monitoring.transition_end"])
            outcome = "stop"
            standard = params[f"dibao.standard_monthly.{case.household.hukou}"]
            if before.category == "dibao" and assessment.per_capita_monthly_income >= standard:
                gradual = int(params["dibao.gradual_exit_months"])
                terms = current
        days = int(params["procedure.stop_objection_days"])
        row = ChangeDecision.objects.create(
            case=case,
            round=case.round,
            assessment=assessment,
            before=before,
            outcome=outcome,
            overridden=overridden,
            terms=terms,
            gradual_exit_months=gradual,
            effective_from=effective_from,
            reason=(reason or "").strip(),
            proposal=proposal,
            parameters_version=assessment.parameters_version,
            stop_notice_ends=on + dt.timedelta(days=days) if outcome == "stop" else None,
            decided_on=on,
            decided_by=user,
        )
        record = {"change_decision": row.pk}
        text = reason or f"测算结果：{describe(proposal)}"
        if outcome == "unchanged":
            _fire(user, case, "decide_unchanged", reason=text, client=client, record=record)
            entitlements.open_row(
                household=case.household,
                valid_from=effective_from,
                terms=_terms(current),
                basis=Basis.REVIEW,
                decided_on=on,
                actor=Actor.of(user, client),
                user=user,
                case=case,
                reason="复核无变化，继续享受",
            )
            _letter(
                user,
                case,
                "review",
                "复核结果告知书",
                f"经复核（案件编号{case.reference}），您家继续享受{describe(current)}。",
                f"您家的救助待遇经复核无变化（{case.reference}），继续享受。",
            )
        elif outcome == "change":
            _fire(user, case, "decide_change", reason=text, client=client, record=record)
            _letter(
                user,
                case,
                "change",
                "救助待遇变更告知书",
                f"经审核（案件编号{case.reference}），您家的救助待遇由{describe(current)}变更为{describe(terms)}，"
                f"自{effective_from:%Y年%m月}起执行。{('理由：' + reason) if reason else ''}"
                f"如有异议，可自收到本告知书之日起{params['procedure.objection_days']}日内申请行政复议。",
                f"您家的救助待遇（{case.reference}）自{effective_from:%Y年%m月}起变更为{describe(terms)}。",
            )
        else:
            _fire(user, case, "decide_stop", reason=reason, client=client, record=record)
            ends = (
                f"；按规定渐退{gradual}个月，{add_months(effective_from, gradual):%Y年%m月}起停发"
                if gradual
                else ""
            )
            _letter(
                user,
                case,
                "stop",
                "停发（退出）告知书",
                f"经审核（案件编号{case.reference}），拟自{effective_from:%Y年%m月}起停发您家的{describe(current)}{ends}。"
                f"理由：{reason}\n如有异议，请于{row.stop_notice_ends:%Y年%m月%d日}前向乡镇人民政府提出申辩；"
                f"对最终决定不服的，可申请行政复议或提起行政诉讼。",
                f"您家的救助待遇（{case.reference}）拟停发，如有异议请于{row.stop_notice_ends:%m月%d日}前向乡镇提出申辩。",
            )
    return row


def record_stop_objection(
    *, user, case, expected_version: int | None, content: str, client: str = ""
) -> Case:
    """The family objects inside the objection period: the stop is set aside and the township
    decides again."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.TOWNSHIP_DECIDE, "记录申辩")
    _require_state(case, State.STOP_NOTICE, expected_version=expected_version)
    content = _text(content, "content", "申辩内容")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        ChangeDecision.objects.filter(case=case, round=case.round, active=True).update(active=False)
        _fire(user, case, "stop_objection", reason=content, client=client)
    return case


def file_locked(user, case: Case, note: str, client: str) -> Entitlement | None:
    """县级备案 of a change or stop: the timeline changes from the decision's effective month.
    Inside `file_case`'s transaction, on a locked case."""
    decision = ChangeDecision.objects.filter(case=case, round=case.round, active=True).order_by("-id").first()
    if decision is None or decision.outcome == "unchanged":
        raise ValidationFailed("变更或停发决定未作出。", code="decision_missing")
    actor = Actor.of(user, client)
    note = (note or "").strip()[:2000]
    if decision.outcome == "change":
        row = entitlements.open_row(
            household=case.household,
            valid_from=decision.effective_from,
            terms=_terms(decision.terms),
            basis=Basis.REVIEW if case.kind == Case.Kind.REVIEW else Basis.CHANGE,
            decided_on=decision.decided_on,
            actor=actor,
            user=user,
            case=case,
            reason=decision.reason or note or "县级备案",
        )
    elif decision.gradual_exit_months:
        row = entitlements.open_row(
            household=case.household,
            valid_from=decision.effective_from,
            terms=_terms(decision.terms),
            basis=Basis.GRADUAL_EXIT,
            decided_on=decision.decided_on,
            actor=actor,
            user=user,
            case=case,
            reason=decision.reason,
            valid_until=add_months(decision.effective_from, decision.gradual_exit_months),
        )
    else:
        row = entitlements.close_current(
            household=case.household,
            on=decision.effective_from,
            basis=Basis.STOP,
            actor=actor,
            reason=decision.reason,
        )
    _fire(user, case, "county_file", reason=note or "县级备案", client=client, record={"entitlement": row.pk})
    record_audit(
        actor=actor,
        action="case.change_filed",
        object_type="case",
        object_id=case.pk,
        changes={"outcome": decision.outcome, "effective_from": decision.effective_from.isoformat()},
        reason=note,
    )
    return row
