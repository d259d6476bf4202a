"""公示, objections, 县级备案 and 录入建档."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from safetynet.accounts.roles import Perm, Role
from safetynet.audit.services import Actor
from safetynet.cases import notifications, selectors
from safetynet.cases.models import (
    Case,
    LeadingGroupDecision,
    Notice,
    Objection,
    TownshipDecision,
)
from safetynet.cases.services.base import (
    BENEFIT_CATEGORIES,
    MEMBER_BENEFIT_CATEGORIES,
    _counted_members,
    _fire,
    _lock,
    _params,
    _require_state,
)
from safetynet.cases.services.checks import _require, _text
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    ValidationFailed,
)
from safetynet.core.glossary import CATEGORY_LABELS, MONITORING_TYPES
from safetynet.core.masking import mask_name
from safetynet.entitlements import services as entitlements
from safetynet.entitlements.models import Basis, Entitlement
from safetynet.entitlements.schedule import month_after
from safetynet.registry import selectors as registry_selectors

# ---- notice -------------------------------------------------------------------------------------


def _notice_entries(case: Case, decision: TownshipDecision) -> list[dict]:
    """What the village board may show: masked names, category, family size and amount, nothing else
    (no ID, phone, bank or health data)."""
    village = case.household.village.name
    if case.kind == Case.Kind.RISK_CLOSURE:  # the same notice as an admission (POLICY.md §8)
        head = case.household.head
        return [
            {
                "name": mask_name(head.name if head else case.applicant_name),
                "village": village,
                "scope": "全户",
                "family_size": len(_counted_members(case.household)),
                "category": "防返贫监测风险消除",
                "benefit_monthly": str(decision.benefit_monthly),
            }
        ]
    if decision.category in BENEFIT_CATEGORIES:
        head = case.household.head
        return [
            {
                "name": mask_name(head.name if head else case.applicant_name),
                "village": village,
                "scope": "全户",
                "family_size": len(_counted_members(case.household)),
                "category": CATEGORY_LABELS[decision.category],
                "benefit_monthly": str(decision.benefit_monthly),
            }
        ]
    return [
        {
            "name": mask_name(m["name"]),
            "village": village,
            "scope": "单人",
            "family_size": 1,
            "category": CATEGORY_LABELS[m["category"]],
            "benefit_monthly": m["benefit_monthly"],
        }
        for m in decision.members
        if m["category"] in MEMBER_BENEFIT_CATEGORIES
    ]


def _open_notice(case: Case, decision: TownshipDecision, on: dt.date) -> Notice:
    min_days = int(_params(case.household.village.code, on)["procedure.notice_min_days"])
    notice = Notice.objects.create(
        case=case,
        round=case.round,
        village=case.household.village,
        starts_on=on,
        min_days=min_days,
        entries=_notice_entries(case, decision),
    )
    ends = notice.earliest_close - dt.timedelta(days=1)
    notifications.queue_message(
        case,
        "notice",
        f"您的救助申请（{case.reference}）已经乡镇审核确认，自{on:%m月%d日}起在村务公开栏公示至"
        f"{ends:%m月%d日}。",
    )
    return notice


def record_objection(
    *,
    user,
    case,
    expected_version: int | None,
    content: str,
    raised_by: str = "",
    received_on: dt.date | None = None,
    client: str = "",
) -> Objection:
    """An objection during the notice: the notice stops, the case goes back to investigation and
    will be noticed again after a new decision."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.RECORD_OBJECTION, "登记异议")
    _require_state(case, State.NOTICE, expected_version=expected_version)
    content = _text(content, "content", "异议内容")
    received_on = received_on or clock.today()
    if received_on > clock.today():
        raise ValidationFailed("收到日期不能晚于今天。", field="received_on")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        notice = Notice.objects.filter(case=case, round=case.round, status="open").first()
        if notice is None:
            raise ValidationFailed("公示未发布。", code="notice_missing")
        if received_on < notice.starts_on:
            raise ValidationFailed("异议应在公示期内收到。", field="received_on")
        row = Objection.objects.create(
            notice=notice,
            case=case,
            received_on=received_on,
            content=content,
            raised_by=(raised_by or "").strip()[:64],
            recorded_by=user,
        )
        notice.status, notice.closed_on = "interrupted", received_on
        notice.save(update_fields=["status", "closed_on"])
        _fire(user, case, "objection", reason=content, client=client, record={"objection": row.pk})
    return row


# ---- county filing and archive -------------------------------------------------------------------


def file_case(*, user, case, expected_version: int | None, note: str = "", client: str = "") -> Entitlement:
    """县级备案 and 录入建档: the decision opens the household's next entitlement row from the month
    after approval (payment starts then), with its amounts and review due date."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.COUNTY_FILE, "县级备案")
    _require_state(case, State.COUNTY_FILING, expected_version=expected_version)
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        if not case.whole_procedure:
            from safetynet.cases.services.changes import file_locked

            return file_locked(user, case, note, client)
        decision = (
            TownshipDecision.objects.filter(case=case, round=case.round, effective=True)
            .order_by("-id")
            .first()
        )
        if decision is None:
            raise ValidationFailed("乡镇审核确认决定未作出。", code="decision_missing")
        lg = LeadingGroupDecision.objects.filter(case=case, round=case.round, approved=True).first()
        approved_on = lg.decided_on if lg else decision.decided_on
        closing = case.kind == Case.Kind.RISK_CLOSURE
        if closing and decision.category == "none" and not decision.monitoring_marked:
            status = entitlements.close_current(
                household=case.household,
                on=month_after(approved_on),
                basis=Basis.RISK_CLOSURE,
                actor=Actor.of(user, client),
                reason=(note or "").strip()[:2000] or "风险消除，县级备案",
            )
            _fire(
                user,
                case,
                "county_file",
                reason=note or "县级备案",
                client=client,
                record={"entitlement": status.pk},
            )
            notifications.queue_message(
                case,
                "change",
                f"您家（{case.reference}）经评议、公示，已标注防返贫监测风险消除，自{month_after(approved_on):%Y年%m月}起不再纳入监测。",
            )
            return status
        status = entitlements.open_row(
            household=case.household,
            valid_from=month_after(approved_on),
            terms=terms_of(decision),
            basis=Basis.RISK_CLOSURE if closing else Basis.ADMISSION,
            decided_on=approved_on,
            actor=Actor.of(user, client),
            user=user,
            case=case,
            decision=decision,
            reason=(note or "").strip()[:2000] or "县级备案，录入建档",
        )
        _fire(
            user, case, "county_file", reason=note or "县级备案", client=client, record={"status": status.pk}
        )
        amount = f"，每月{decision.benefit_monthly}元" if decision.benefit_monthly else ""
        notifications.queue_message(
            case,
            "approval",
            f"您的救助申请（{case.reference}）已认定为{CATEGORY_LABELS[decision.category]}{amount}，"
            f"自{status.valid_from:%Y年%m月}起享受。",
        )
        if decision.monitoring_marked:
            agri = registry_selectors.users_reaching(case.household.village.code, [Role.COUNTY_AGRI.value])
            notifications.notify_users(
                agri,
                case=case,
                kind="assigned",
                title=f"{case.reference}：新纳入防返贫监测对象（{MONITORING_TYPES.get(decision.monitoring_type, '')}）",
                key=f"case:{case.pk}:monitoring",
            )
    return status


def terms_of(decision: TownshipDecision) -> entitlements.Terms:
    """What an effective township decision grants, as the timeline's terms."""
    return entitlements.Terms(
        category=decision.category,
        monitoring_marked=decision.monitoring_marked,
        monitoring_type=decision.monitoring_type,
        benefit_monthly=decision.benefit_monthly,
        members=tuple(
            entitlements.MemberPart(
                person_id=int(m["person_id"]),
                category=m.get("category", ""),
                care_tier=m.get("care_tier", ""),
                benefit_monthly=Decimal(str(m.get("benefit_monthly") or 0)),
            )
            for m in decision.members
        ),
    )
