"""受理 and the transitions that need no record of their own."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import notifications, risk_closure, selectors, workflow
from safetynet.cases.models import (
    Case,
    CaseTransition,
    Lead,
    Notice,
)
from safetynet.cases.services.base import _assign, _fire, _lock, _params
from safetynet.cases.services.checks import PHONE_RE, _next_reference, _phone, _require
from safetynet.cases.services.intake import _merge_lead
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    Conflict,
    ValidationFailed,
)
from safetynet.entitlements import selectors as entitlement_selectors
from safetynet.registry import selectors as registry_selectors
from safetynet.workdays.services import work_calendar


def accept_case(
    *,
    user,
    household,
    lead_ids=(),
    summary: str = "",
    applicant_phone: str = "",
    kind: str = "",
    client: str = "",
) -> tuple[Case, bool]:
    """受理: open a case for the household (the clock starts), or merge the leads into the open
    one. Returns (case, created).

    The kind (`Case.Kind`) defaults from the household's entitlement: none in force → an
    application; a recipient → a change case when a lead reports a death, else a review (leads
    from the comparison on recipients open the right kind of case, never a new application)."""
    _require(user, Perm.ACCEPT_CASE, "受理")
    household = registry_selectors.get_household(user, getattr(household, "pk", household))
    leads = [selectors.get_lead(user, pk) for pk in lead_ids or ()]
    kind_asked, kind = kind, _kind_for(household, kind, leads)
    for lead in leads:
        if lead.status != Lead.Status.NEW:
            raise Conflict(f"线索{lead.reference}已处理。", code="lead_not_new", field="lead_ids")
        if lead.household_id and lead.household_id != household.pk:
            raise ValidationFailed(f"线索{lead.reference}属于另一户。", field="lead_ids")
    phone = _phone(applicant_phone, "applicant_phone", required=False)
    actor = Actor.of(user, client)
    on = clock.today()
    with transaction.atomic():
        existing = selectors.open_case_of(household)
        if existing and kind_asked and kind_asked != Case.Kind.APPLICATION:
            # A change, review, stop or risk closure is its own case: never two open on one household.
            raise Conflict(
                f"该户已有正在办理的案件（{existing.reference}，{Case.Kind(existing.kind).label}），"
                "请在该案件中办理或待其办结。",
                code="open_case_exists",
                field="kind",
            )
        others = list(
            Lead.objects.filter(household=household, status=Lead.Status.NEW).exclude(
                pk__in=[lead.pk for lead in leads]
            )
        )
        if existing:
            for lead in leads + others:
                _merge_lead(lead, existing, actor)
            return existing, False
        case = _open_case(household, kind, leads, others, phone, summary, on, actor, user)
    return case, True


def _open_case(household, kind, leads, others, phone, summary, on, actor, user) -> Case:
    """Create the case (the clock starts), its first move, audit, merged leads, the receipt SMS and
    the inbox assignment; inside the caller's transaction. `user` may be None (a system opening)."""
    params = _params(household.village.code, on)
    deadline = work_calendar().add_working_days(on, int(params["procedure.deadline_working_days"]))
    head = household.head
    phone = phone or next((lead.contact_phone for lead in leads if lead.contact_phone), "")
    phone = phone or (head.phone if head and head.phone and PHONE_RE.match(head.phone) else "")
    try:
        with transaction.atomic():
            case = Case.objects.create(
                reference=_next_reference("XN-C", Case, on),
                kind=kind,
                household=household,
                village_id=household.village_id,
                accepted_on=on,
                accepted_by=user,
                deadline=deadline.date,
                deadline_provisional=deadline.provisional,
                state_changed_at=timezone.now(),
                applicant_name=head.name if head else "",
                applicant_phone=phone,
                summary=(summary or "").strip() or "；".join(lead.summary for lead in leads)[:2000],
            )
    except IntegrityError:
        raise Conflict("该户已有正在办理的案件，请刷新后重试。", code="open_case_exists") from None
    CaseTransition.objects.create(
        case=case,
        name="accept",
        from_state="",
        to_state=State.ACCEPTED,
        round=1,
        actor_id=actor.id,
        actor_name=actor.username,
        actor_role=actor.role,
        on=on,
        reason="受理",
        record={"leads": [lead.reference for lead in leads]},
    )
    record_audit(
        actor=actor,
        action="case.accept",
        object_type="case",
        object_id=case.pk,
        changes={
            "household": [None, household.pk],
            "deadline": [None, deadline.date.isoformat()],
            "leads": [None, [lead.reference for lead in leads]],
        },
    )
    for lead in leads + others:
        _merge_lead(lead, case, actor)
    what = "社会救助申请" if kind == Case.Kind.APPLICATION else f"救助待遇{Case.Kind(kind).label}事项"
    notifications.queue_message(
        case,
        "receipt",
        f"您的{what}已受理（编号{case.reference}），将于{deadline.date:%Y年%m月%d日}前办结。",
    )
    _assign(case)
    return case


# Comparison rules whose lead reports a change in the family rather than a doubt about its means.
CHANGE_RULES = ("recipient_deceased", "household_change")


def _kind_for(household, kind: str, leads) -> str:
    in_force = entitlement_selectors.current_row(household, clock.today())
    if kind:
        if kind not in Case.Kind.values:
            raise ValidationFailed("案件类型无效。", field="kind")
        if kind != Case.Kind.APPLICATION and in_force is None:
            raise ValidationFailed(
                "该户当前没有享受中的待遇，不能受理复核、变更或停发，请按申请认定受理。", field="kind"
            )
        if kind == Case.Kind.RISK_CLOSURE:
            risk_closure.check(household, in_force, clock.today())
        return kind
    if in_force is None:
        return Case.Kind.APPLICATION
    if any(lead.rule in CHANGE_RULES for lead in leads):
        return Case.Kind.CHANGE
    return Case.Kind.REVIEW


def transition_case(
    *, user, case, name: str, expected_version: int | None, reason: str = "", client: str = ""
) -> Case:
    """The transitions that need no record of their own (start investigation, start
    verification, complete verification, close the notice, withdrawal)."""
    try:
        t = workflow.transition(name)
    except workflow.UnknownTransition:
        raise ValidationFailed("未知的办理操作。", code="unknown_transition", field="name") from None
    if t.internal:
        raise ValidationFailed(f"“{t.label}”须通过相应的记录提交。", code="needs_record")
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, t.perm, f"“{t.label}”")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        notice = None
        if name == "close_notice":
            notice = Notice.objects.filter(case=case, round=case.round, status="open").first()
        _fire(user, case, name, reason=reason, client=client)
        if notice is not None:
            notice.status, notice.closed_on = "closed", clock.today()
            notice.save(update_fields=["status", "closed_on"])
    return case


def withdraw_case(*, user, case, expected_version: int | None, reason: str, client: str = "") -> Case:
    return transition_case(
        user=user, case=case, name="withdraw", expected_version=expected_version, reason=reason, client=client
    )


def follow_village(household_id: int, village_id: int) -> None:
    """A household moved to another village: its cases go with it (registered in
    `registry.services.hooks.village_followers`, run inside the move's transaction)."""
    Case.objects.filter(household_id=household_id).exclude(village_id=village_id).update(
        village_id=village_id
    )
