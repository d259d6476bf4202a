"""The writes of the assistance plan: suggest, accept (refer), edit, decline, add a measure, and
report back on a referral. Each runs in one transaction, checks the user's permission and reach,
validates, writes and appends its audit record. Department feedback files: `feedback.py`.

The township decides: a suggestion stays `suggested` until someone with the plan permission
accepts it (it is then referred to its department), edits or declines it with a reason; nothing is
applied unseen. A department reports back only on measures referred to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.assessments.services import parameter_set
from safetynet.assistance import selectors
from safetynet.assistance.batch import house_grades, worst_grade
from safetynet.assistance.models import OPEN_STATUSES, Feedback, Measure, MeasureStatus
from safetynet.assistance.suggestions import HouseholdFacts, MemberFacts, suggest
from safetynet.audit.services import Actor, record_audit
from safetynet.core import clock
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.core.glossary import DEPARTMENT_LABELS, MEASURE_KIND_LABELS
from safetynet.core.money import parse_yuan
from safetynet.entitlements.selectors import entitlement_on
from safetynet.registry.selectors import current_members, get_household

# A measure's default department by kind (the township may name another).
DEFAULT_DEPARTMENT = {
    "industry": "agri",
    "employment": "hrss",
    "skills": "hrss",
    "public_job": "hrss",
    "microcredit": "agri",
    "education_aid": "education",
    "medical_aid": "medical",
    "premium_subsidy": "medical",
    "chronic_care": "medical",
    "housing_repair": "housing",
    "temporary_relief": "civil",
    "charity": "civil",
    "other": "civil",
}
# What a report back may say, from each status.
FEEDBACK_MOVES = {
    MeasureStatus.REFERRED: {MeasureStatus.IN_PROGRESS, MeasureStatus.DONE, MeasureStatus.DECLINED},
    MeasureStatus.IN_PROGRESS: {MeasureStatus.DONE, MeasureStatus.DECLINED},
}
FEEDBACK_STATUSES = (MeasureStatus.IN_PROGRESS, MeasureStatus.DONE, MeasureStatus.DECLINED)
# Departments without a liaison in the system: the township records their outcome itself.
TOWNSHIP_RECORDED = ("civil", "township")


def _require(user, perm: Perm, message: str) -> None:
    if not user.can(perm):
        raise PermissionDenied(message)


def _snapshot(m: Measure) -> dict:
    return {
        "household": m.household_id,
        "person": m.person_id,
        "kind": m.kind,
        "department": m.department,
        "status": m.status,
        "amount": None if m.amount is None else str(m.amount),
        "description": m.description,
        "charity_name": m.charity_name,
        "charity_gave": m.charity_gave,
    }


def _audit(user, client: str, action: str, m: Measure, changes: dict, reason: str = "") -> None:
    record_audit(
        actor=Actor.of(user, client),
        action=action,
        object_type="measure",
        object_id=m.pk,
        changes=changes,
        reason=reason,
    )


# ---- facts and suggestions ---------------------------------------------------------------


def house_grade(household) -> str:
    """The 住建 safety grade of the household's home from the current department data: the worst
    grade sent for any current member (the owner's row), "" when 住建 sent none."""
    members = current_members(household)
    grades = house_grades([m.person.id_index for m in members])
    return worst_grade(grades.get(m.person.id_index, "") for m in members)


def household_facts(household, on: dt.date, *, grade: str | None = None) -> HouseholdFacts:
    """What the rules read: the entitlement in force on `on` (never the latest assessment), the
    current members' facts and the 住建 grade."""
    row = entitlement_on(household, on)
    own = {em.person_id: em.category or row.category for em in row.members.all()} if row else {}
    members = tuple(
        MemberFacts.of(m, on, own.get(m.person_id, ""))
        for m in current_members(household)
        if m.person.died_on is None
    )
    return HouseholdFacts(
        household_id=household.pk,
        category=row.category if row else "none",
        monitoring_marked=bool(row and row.monitoring_marked),
        hukou=household.hukou,
        alleviated=household.alleviated,
        house_grade=house_grade(household) if grade is None else grade,
        head_id=household.head_id,
        members=members,
    )


def generate_suggestions(*, user, household, on: dt.date | None = None, client: str = "") -> list[Measure]:
    """Run the suggestion rules over one household and file what they suggest as `suggested`
    measures; a suggestion already open (or declined) for the same member, kind and rule is not
    filed again. Returns the new measures."""
    _require(user, Perm.MANAGE_ASSISTANCE_PLAN, "您无权编制帮扶计划。")
    hh = get_household(user, getattr(household, "pk", household))
    on = on or clock.today()
    facts = household_facts(hh, on)
    params = parameter_set(hh.village.code).on(on).fresh()
    found = suggest(facts, params)
    created: list[Measure] = []
    with transaction.atomic():
        existing = {
            (m.person_id, m.kind, m.rule)
            for m in Measure.objects.select_for_update()
            .filter(household=hh)
            .exclude(rule="")
            .filter(status__in=[*OPEN_STATUSES, MeasureStatus.DECLINED])
        }
        for s in found:
            if (s.person_id, s.kind, s.rule) in existing:
                continue
            existing.add((s.person_id, s.kind, s.rule))
            m = Measure.objects.create(
                household=hh,
                person_id=s.person_id,
                kind=s.kind,
                department=s.department,
                amount=s.amount,
                rule=s.rule,
                clause=s.clause,
                reason=s.reason,
                facts=facts.as_dict(),
                parameters_version=params.version,
                parameters_digest=params.digest(),
                suggested_on=on,
                created_by=user,
            )
            created.append(m)
        record_audit(
            actor=Actor.of(user, client),
            action="assistance.suggest",
            object_type="household",
            object_id=hh.pk,
            changes={
                "on": on.isoformat(),
                "measures": [m.pk for m in created],
                "rules": sorted({s.rule for s in found}),
                "parameters_version": params.version,
            },
        )
    return created


# ---- the township's decisions ------------------------------------------------------------


def _clean_fields(*, kind=None, department=None, amount=None, description=None) -> dict:
    out = {}
    if kind is not None:
        if kind not in MEASURE_KIND_LABELS:
            raise ValidationFailed("帮扶措施类型无效。", field="kind", code="invalid_kind")
        out["kind"] = kind
    if department is not None:
        if department not in DEPARTMENT_LABELS:
            raise ValidationFailed("责任部门无效。", field="department", code="invalid_department")
        out["department"] = department
    if amount is not None:
        out["amount"] = parse_yuan(amount, "amount", blank_is_zero=False) if amount != "" else None
    if description is not None:
        text = str(description).strip()
        if len(text) > 300:
            raise ValidationFailed("措施内容不能超过300字。", field="description")
        out["description"] = text
    return out


def _managed(user, measure) -> Measure:
    _require(user, Perm.MANAGE_ASSISTANCE_PLAN, "您无权编制帮扶计划。")
    m = selectors.get_measure(user, getattr(measure, "pk", measure))
    return Measure.objects.select_for_update().get(pk=m.pk)


def accept_measure(
    *, user, measure, department=None, amount=None, description=None, on=None, client: str = ""
) -> Measure:
    """The township accepts a suggestion (with any edits) and refers it to its department."""
    fields = _clean_fields(department=department, amount=amount, description=description)
    with transaction.atomic():
        m = _managed(user, measure)
        if m.status != MeasureStatus.SUGGESTED:
            raise Conflict("只有待确认的建议可以确认转介。", field="status", code="not_suggested")
        before = _snapshot(m)
        for k, v in fields.items():
            setattr(m, k, v)
        m.status, m.referred_on = MeasureStatus.REFERRED, on or clock.today()
        m.save()
        _audit(user, client, "assistance.accept", m, {"before": before, "after": _snapshot(m)})
    return m


def edit_measure(
    *, user, measure, department=None, amount=None, description=None, client: str = ""
) -> Measure:
    """Edit a measure not yet taken up by its department (suggested or referred)."""
    fields = _clean_fields(department=department, amount=amount, description=description)
    with transaction.atomic():
        m = _managed(user, measure)
        if m.status not in (MeasureStatus.SUGGESTED, MeasureStatus.REFERRED):
            raise Conflict("部门已开始办理或已办结的措施不能修改。", field="status", code="measure_locked")
        before = _snapshot(m)
        for k, v in fields.items():
            setattr(m, k, v)
        m.save()
        _audit(user, client, "assistance.edit", m, {"before": before, "after": _snapshot(m)})
    return m


def decline_measure(*, user, measure, reason: str, client: str = "") -> Measure:
    """The township declines a suggestion, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写不予实施的理由。", field="reason", code="reason_required")
    if len(reason) > 300:
        raise ValidationFailed("理由不能超过300字。", field="reason")
    with transaction.atomic():
        m = _managed(user, measure)
        if m.status != MeasureStatus.SUGGESTED:
            raise Conflict("只有待确认的建议可以由乡镇不予实施。", field="status", code="not_suggested")
        m.status, m.decline_reason = MeasureStatus.DECLINED, reason
        m.save()
        _audit(user, client, "assistance.decline", m, {"status": "declined"}, reason)
    return m


def add_measure(
    *,
    user,
    household,
    person=None,
    kind: str,
    department: str | None = None,
    amount=None,
    description: str = "",
    charity_name: str = "",
    charity_gave: str = "",
    on: dt.date | None = None,
    client: str = "",
) -> Measure:
    """A measure the township enters itself (referred at once: the township has seen it). 慈善帮扶
    names the registered charity; with what it gave, the measure is recorded as done."""
    _require(user, Perm.MANAGE_ASSISTANCE_PLAN, "您无权编制帮扶计划。")
    hh = get_household(user, getattr(household, "pk", household))
    fields = _clean_fields(
        kind=kind,
        department=department or DEFAULT_DEPARTMENT.get(kind, "civil"),
        amount=amount,
        description=description,
    )
    person_id = None
    if person not in (None, ""):
        try:
            person_id = int(getattr(person, "pk", person))
        except (TypeError, ValueError):
            person_id = -1
        if not current_members(hh).filter(person_id=person_id).exists():
            raise ValidationFailed("该人员不是本户现有成员。", field="person", code="person_not_in_household")
    charity_name, charity_gave = (charity_name or "").strip(), (charity_gave or "").strip()
    if kind == "charity" and not charity_name:
        raise ValidationFailed("慈善帮扶须写明慈善组织名称。", field="charity_name", code="charity_required")
    if kind != "charity" and (charity_name or charity_gave):
        raise ValidationFailed("只有慈善帮扶填写慈善组织。", field="charity_name")
    if len(charity_name) > 120 or len(charity_gave) > 300:
        raise ValidationFailed("慈善组织名称或帮扶内容过长。", field="charity_name")
    on = on or clock.today()
    done = kind == "charity" and bool(charity_gave)
    with transaction.atomic():
        m = Measure.objects.create(
            household=hh,
            person_id=person_id,
            charity_name=charity_name,
            charity_gave=charity_gave,
            status=MeasureStatus.DONE if done else MeasureStatus.REFERRED,
            referred_on=on,
            finished_on=on if done else None,
            created_by=user,
            **fields,
        )
        _audit(user, client, "assistance.add", m, {"after": _snapshot(m)})
    return m


# ---- reporting back ----------------------------------------------------------------------


def _feedback_target(user, measure_id) -> Measure:
    """The measure a user may report on: referred to their department (a liaison), or, for the
    township, one whose department has no liaison here (民政, 乡镇) or a 慈善帮扶."""
    if user.can(Perm.REPORT_REFERRAL_FEEDBACK):
        try:
            return selectors.get_referral(user, measure_id)
        except NotFound:
            if not user.can(Perm.MANAGE_ASSISTANCE_PLAN):
                raise
    if user.can(Perm.MANAGE_ASSISTANCE_PLAN):
        m = selectors.get_measure(user, measure_id)
        if m.department in TOWNSHIP_RECORDED or m.kind == "charity":
            return m
        raise PermissionDenied(
            f"该措施由{DEPARTMENT_LABELS[m.department]}反馈办理情况。",
            code="department_reports",
            field="measure",
        )
    raise NotFound("未找到转介给本部门的该帮扶措施。", code="referral_not_found", field="measure")


def check_feedback(m: Measure, status: str, amount, note: str) -> tuple[str, Decimal | None, str]:
    """The one check of a report back (web, API and file rows alike): (status, amount, note)."""
    if status not in FEEDBACK_STATUSES:
        raise ValidationFailed(
            "办理状态应为 办理中、已完成 或 不予实施。", field="status", code="invalid_status"
        )
    if status not in FEEDBACK_MOVES.get(m.status, set()):
        raise Conflict(
            f"措施{m.pk}当前为“{m.get_status_display()}”，不能反馈为“{MeasureStatus(status).label}”。",
            field="status",
            code="invalid_transition",
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationFailed("说明不能超过300字。", field="note")
    if status == MeasureStatus.DECLINED and not note:
        raise ValidationFailed("不予实施须写明理由（说明）。", field="note", code="reason_required")
    if status == MeasureStatus.DONE and m.kind == "charity" and not (note or m.charity_gave):
        raise ValidationFailed("慈善帮扶办结须写明慈善组织帮扶的内容（说明）。", field="note")
    value = None if amount in (None, "") else parse_yuan(amount, "amount", blank_is_zero=False)
    return status, value, note


def apply_feedback(m: Measure, *, status, on, amount, note, channel, user, upload=None) -> Feedback:
    """Write one checked report back (inside the caller's transaction)."""
    fb = Feedback.objects.create(
        measure=m,
        status=status,
        on=on,
        amount=amount,
        note=note,
        channel=channel,
        upload=upload,
        reported_by=user,
    )
    m.status = status
    if status == MeasureStatus.IN_PROGRESS:
        m.started_on = on
    else:
        m.finished_on = on
        m.started_on = m.started_on or on
    if status == MeasureStatus.DECLINED:
        m.decline_reason = note
    if amount is not None:
        m.amount = amount
    if status == MeasureStatus.DONE and m.kind == "charity" and note:
        m.charity_gave = note
    m.save()
    return fb


def report_feedback(
    *,
    user,
    measure,
    status: str,
    on=None,
    amount=None,
    note: str = "",
    channel: str = "web",
    client: str = "",
) -> Feedback:
    """One report back on one measure."""
    on = on or clock.today()
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on)
        except ValueError:
            raise ValidationFailed("办理日期格式应为 YYYY-MM-DD。", field="on") from None
    if on > clock.today():
        raise ValidationFailed("办理日期不能晚于今天。", field="on", code="date_in_future")
    with transaction.atomic():
        m = _feedback_target(user, getattr(measure, "pk", measure))
        m = Measure.objects.select_for_update().get(pk=m.pk)
        status, value, note = check_feedback(m, status, amount, note)
        fb = apply_feedback(m, status=status, on=on, amount=value, note=note, channel=channel, user=user)
        _audit(
            user,
            client,
            "assistance.feedback",
            m,
            {
                "status": status,
                "on": on.isoformat(),
                "amount": None if value is None else str(value),
                "channel": channel,
            },
            note,
        )
    return fb
