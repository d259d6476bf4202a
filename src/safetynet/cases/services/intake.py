"""Lead intake (线索): window declarations, grassroots screening, department warnings and data
comparison, CSV import, the public application page and its status, dismissal. Depends on the
register, the audit trail and the notifications only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import Perm, Role
from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.cases import notifications, selectors
from safetynet.cases.models import (
    Case,
    Channel,
    Lead,
    PublicAttempt,
)
from safetynet.cases.services.checks import _id_number, _next_reference, _phone, _require, _roles_with, _text
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.areas import configured_county
from safetynet.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    SafetynetError,
    Throttled,
    ValidationFailed,
)
from safetynet.core.glossary import CATEGORY_LABELS
from safetynet.registry import selectors as registry_selectors
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Area, Household, Membership, Person

PUBLIC_APPLY_LIMIT = 5  # per client address and hour
PUBLIC_STATUS_LIMIT = 30

# ---- leads ------------------------------------------------------------------------------------


def _household_of_subject(*, household=None, person=None, id_index: str = "") -> Household | None:
    """The household that counts the lead's subject: given, or through the person, or the blind index."""
    if household is not None:
        return household
    if person is None and id_index:
        person = Person.objects.filter(id_index=id_index).first()
    if person is None:
        return None
    m = (
        Membership.objects.filter(person=person, left_on__isnull=True)
        .order_by("-counted", "id")
        .select_related("household")
        .first()
    )
    return m.household if m else None


def _merge_lead(lead: Lead, case: Case, actor: Actor) -> None:
    lead.case, lead.status = case, Lead.Status.IN_CASE
    if lead.household_id is None:
        lead.household = case.household
    lead.save(update_fields=["case", "status", "household"])
    record_audit(
        actor=actor,
        action="lead.merge",
        object_type="lead",
        object_id=lead.pk,
        changes={"case": [None, case.reference]},
    )


def raise_lead(
    *,
    actor: Actor = SYSTEM,
    channel: str,
    village: Area,
    summary: str,
    household: Household | None = None,
    person: Person | None = None,
    subject_name: str = "",
    subject_id_number: str = "",
    contact_phone: str = "",
    rule: str = "",
    department: str = "",
    evidence: dict | None = None,
    dedup_key: str | None = None,
) -> tuple[Lead, bool]:
    """File a lead; with a `dedup_key` already used, return the existing lead and False.

    The lead is matched to the household that counts its subject (given, through the person, or
    through the ID number's blind index); if that household has an open case, the lead joins it.
    """
    if channel not in Channel.values:
        raise ValidationFailed(f"线索来源“{channel}”无效。", field="channel")
    if not (summary or "").strip():
        raise ValidationFailed("请填写情况说明。", field="summary")
    if dedup_key:
        existing = Lead.objects.filter(dedup_key=dedup_key).first()
        if existing:
            return existing, False
    id_index = blind_index(subject_id_number) if subject_id_number else ""
    day = clock.today()
    for _ in range(5):
        try:
            with transaction.atomic():
                matched = _household_of_subject(household=household, person=person, id_index=id_index)
                lead = Lead.objects.create(
                    reference=_next_reference("XN-L", Lead, day),
                    channel=channel,
                    village=village,
                    household=matched,
                    person=person,
                    subject_name=subject_name.strip(),
                    subject_id_number=subject_id_number,
                    contact_phone=contact_phone,
                    subject_id_index=id_index,
                    summary=summary.strip(),
                    rule=rule,
                    department=department,
                    evidence=evidence or {},
                    dedup_key=dedup_key or None,
                    created_by_id=actor.id,
                )
                record_audit(
                    actor=actor,
                    action="lead.create",
                    object_type="lead",
                    object_id=lead.pk,
                    changes={
                        "channel": [None, channel],
                        "rule": [None, rule],
                        "village": [None, village.code],
                    },
                )
                open_case = selectors.open_case_of(matched) if matched else None
                if open_case:
                    _merge_lead(lead, open_case, actor)
                else:
                    users = registry_selectors.users_reaching(village.code, _roles_with(Perm.ACCEPT_CASE))
                    notifications.notify_users(
                        users.filter(area__level="township"),
                        case=None,
                        kind="lead",
                        title=f"新线索 {lead.reference}（{Channel(channel).label}，{village.name}）",
                        key=f"lead:{lead.pk}",
                    )
                return lead, True
        except IntegrityError:
            if dedup_key and Lead.objects.filter(dedup_key=dedup_key).exists():
                return Lead.objects.get(dedup_key=dedup_key), False
            continue  # a concurrent lead took the reference number: take the next one
    raise RuntimeError("could not allocate a lead reference")


# Channels each kind of user may file: officers screen and take declarations, departments warn.
STAFF_CHANNELS = {Channel.SELF_DECLARED, Channel.GRASSROOTS}
DEPARTMENT_CHANNELS = {Channel.DEPARTMENT_WARNING, Channel.DATA_COMPARISON}


def _lead_village(user, code: str) -> Area:
    if registry_selectors.villages_visible_to(user).exists():
        return registry_selectors.get_village(user, code)
    # A department liaison reaches no household but files leads anywhere in its county.
    try:
        return Area.objects.get(code=str(code), level=Area.Level.VILLAGE, code__startswith=user.area.code)
    except (Area.DoesNotExist, AttributeError):
        raise NotFound(f"未找到村（社区）{code}。", code="village_not_found", field="village") from None


def file_lead(
    *,
    user,
    channel: str,
    village_code: str,
    summary: str,
    household_id=None,
    subject_name: str = "",
    subject_id_number: str = "",
    contact_phone: str = "",
    department: str = "",
    rule: str = "",
    evidence: dict | None = None,
    dedup_key: str | None = None,
    client: str = "",
) -> tuple[Lead, bool]:
    """A lead filed by a user: window declaration, grassroots screening, department warning."""
    _require(user, Perm.RAISE_LEAD, "登记线索")
    has_reach = registry_selectors.villages_visible_to(user).exists()
    allowed = STAFF_CHANNELS | DEPARTMENT_CHANNELS if has_reach else DEPARTMENT_CHANNELS
    if user.role == Role.VILLAGE_OFFICER:
        allowed = {Channel.GRASSROOTS, Channel.SELF_DECLARED}
    if channel not in Channel.values:
        raise ValidationFailed(f"线索来源“{channel}”无效。", field="channel")
    if Channel(channel) not in allowed and user.role != Role.ADMIN:
        raise PermissionDenied(f"您的角色不能登记“{Channel(channel).label}”线索。")
    village = _lead_village(user, village_code)
    household = None
    if household_id not in (None, ""):
        if not has_reach:
            raise PermissionDenied("您的角色不能指定户档案。")
        household = registry_selectors.get_household(user, household_id)
        if household.village_id != village.pk:
            raise ValidationFailed("所选户不在该村（社区）。", field="household_id")
    number = _id_number(subject_id_number, "subject_id_number", required=household is None)
    name = _text(subject_name, "subject_name", "当事人姓名", required=household is None, max_length=64)
    phone = _phone(contact_phone, "contact_phone", required=False)
    _text(summary, "summary", "情况说明")
    if department and len(department) > 32:
        raise ValidationFailed("来源部门不能超过32个字。", field="department")
    return raise_lead(
        actor=Actor.of(user, client),
        channel=channel,
        village=village,
        summary=summary,
        household=household,
        subject_name=name,
        subject_id_number=number,
        contact_phone=phone,
        department=department or ("" if has_reach else (user.display_name or user.username)),
        rule=rule,
        evidence=evidence,
        dedup_key=dedup_key,
    )


LEAD_CSV_COLUMNS = ("village", "name", "id_number", "phone", "summary", "rule", "dedup_key")


def import_leads(*, user, channel: str, data: bytes, department: str = "", client: str = "") -> dict:
    """A CSV of leads (UTF-8, with or without BOM; columns `LEAD_CSV_COLUMNS`, the last three
    optional). Every row is checked first; the file is filed only if all rows are valid."""
    _require(user, Perm.RAISE_LEAD, "导入线索")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("文件应为UTF-8编码的CSV。", field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"village", "name", "id_number", "summary"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationFailed(f"CSV缺少列：{'、'.join(sorted(missing))}。", field="file")
    rows = list(reader)
    if not rows:
        raise ValidationFailed("CSV中没有数据行。", field="file")
    if len(rows) > 5000:
        raise ValidationFailed("一次最多导入5000条线索。", field="file")
    for i, row in enumerate(rows, start=2):
        try:
            _lead_village(user, (row.get("village") or "").strip())
            _id_number(row.get("id_number"), "id_number", required=True)
            _phone(row.get("phone"), "phone", required=False)
            _text(row.get("summary"), "summary", "情况说明")
        except SafetynetError as err:
            raise ValidationFailed(
                f"第{i}行：{err.message}", code=err.code, field=f"rows[{i}].{err.field}"
            ) from None
    created = duplicates = 0
    with transaction.atomic():
        for row in rows:
            _, new = file_lead(
                user=user,
                channel=channel,
                village_code=row["village"].strip(),
                summary=row["summary"],
                subject_name=(row.get("name") or "").strip(),
                subject_id_number=row["id_number"],
                contact_phone=(row.get("phone") or "").strip(),
                rule=(row.get("rule") or "").strip(),
                department=department,
                dedup_key=(row.get("dedup_key") or "").strip() or None,
                client=client,
            )
            created += new
            duplicates += not new
    return {"rows": len(rows), "created": created, "duplicates": duplicates}


def _throttle(client: str, kind: str, limit: int) -> None:
    since = timezone.now() - dt.timedelta(hours=1)
    if PublicAttempt.objects.filter(client=client, kind=kind, at__gte=since).count() >= limit:
        raise Throttled("提交过于频繁，请一小时后再试，或到乡镇便民服务中心窗口办理。", code="throttled")
    PublicAttempt.objects.create(client=client, kind=kind)


def submit_public_application(
    *, name: str, id_number: str, village_code: str, phone: str, summary: str, client: str
) -> Lead:
    """The public application page (no account): files a self-declared lead."""
    _throttle(client, "apply", PUBLIC_APPLY_LIMIT)
    name = _text(name, "name", "姓名", max_length=64)
    if not re.fullmatch(r"[\u3400-\u9fff·]{2,20}", name):
        raise ValidationFailed("请填写身份证上的中文姓名。", field="name")
    number = _id_number(id_number, "id_number", required=True)
    phone = _phone(phone, "phone", required=True)
    summary = _text(summary, "summary", "困难情况", max_length=1000)
    try:
        village = Area.objects.get(
            code=str(village_code), level=Area.Level.VILLAGE, code__startswith=configured_county()
        )
    except Area.DoesNotExist:
        raise ValidationFailed("请选择所在村（社区）。", field="village") from None
    lead, _ = raise_lead(
        actor=Actor(id=None, username="public", role="public", client=client),
        channel=Channel.SELF_DECLARED,
        village=village,
        summary=summary,
        subject_name=name,
        subject_id_number=number,
        contact_phone=phone,
        department="网上申请",
    )
    return lead


PUBLIC_STAGES = {
    "new": "已收到，等待乡镇受理",
    "dismissed": "经核实，不予受理（详情请咨询乡镇便民服务中心）",
    State.ACCEPTED: "已受理，办理中",
    State.INVESTIGATION: "入户调查中",
    State.VERIFICATION: "经济状况核对中",
    State.VILLAGE_REVIEW: "村级评议中",
    State.TOWNSHIP_DECISION: "乡镇审核中",
    State.LEADING_GROUP: "县级审核中",
    State.NOTICE: "公示中",
    State.COUNTY_FILING: "县级备案中",
    State.ARCHIVED: "已办结",
    State.REFUSED: "已办结：不予认定",
    State.WITHDRAWN: "已撤回",
}


def _outcome(case) -> str:
    """The end of a case in plain words for the applicant: what was decided, from when, the amount;
    nothing else (no names, no ID, no health data)."""
    if case.state == State.REFUSED:
        return "不予认定。书面告知书已发出，乡镇将当面说明理由；如有异议可申请行政复议或提起行政诉讼。"
    if case.state == State.WITHDRAWN:
        return "申请已撤回。"
    if case.state != State.ARCHIVED:
        return ""
    status = case.entitlements.order_by("valid_from").first()
    if status is None:
        return ""
    if status.category in ("none", ""):
        what = "纳入防返贫监测" if status.monitoring_marked else "已办结"
    else:
        what = f"认定为{CATEGORY_LABELS.get(status.category, status.category)}"
        if status.monitoring_marked:
            what += "，并纳入防返贫监测"
    amount = f"，每月{status.benefit_monthly}元" if status.benefit_monthly else ""
    return f"{what}{amount}，自{status.valid_from:%Y年%m月}起享受。"


def public_status(*, reference: str, id_last4: str, client: str) -> dict:
    """Progress of an application for the applicant, by the lead reference the public page gave or
    the case number of the acceptance message, with the last four characters of the ID number; the
    outcome of a closed case in plain words. No personal data; the same answer for a wrong number
    and a wrong ID suffix."""
    _throttle(client, "status", PUBLIC_STATUS_LIMIT)
    ref = (reference or "").strip().upper()
    suffix = (id_last4 or "").strip().upper()
    missing = NotFound(
        "未找到该申请，请核对受理编号（或案件编号）和身份证号码后四位。", code="application_not_found"
    )
    if len(suffix) != 4:
        raise missing
    lead = Lead.objects.filter(reference=ref).select_related("case").first()
    if lead is not None:
        if not lead.subject_id_number.upper().endswith(suffix):
            raise missing
        case = lead.case
        received = timezone.localtime(lead.received_at).date()
        stage = case.state if case else ("new" if lead.status == Lead.Status.IN_CASE else lead.status)
    else:
        case = Case.objects.filter(reference=ref).select_related("household__head").first()
        if case is None:
            raise missing
        ids = [lead.subject_id_number for lead in case.leads.all()]
        ids.append(case.household.head.id_number if case.household.head else "")
        if not any(i and i.upper().endswith(suffix) for i in ids):
            raise missing
        received, stage = case.accepted_on, case.state
    return {
        "reference": ref,
        "received_on": received,
        "stage": PUBLIC_STAGES.get(stage, "办理中"),
        "outcome": _outcome(case) if case else "",
    }


def dismiss_lead(*, user, lead: Lead, reason: str, client: str = "") -> Lead:
    _require(user, Perm.ACCEPT_CASE, "排除线索")
    lead = selectors.get_lead(user, lead.pk)
    reason = _text(reason, "reason", "排除理由")
    if lead.status != Lead.Status.NEW:
        raise Conflict("该线索已处理。", code="lead_not_new")
    with transaction.atomic():
        lead.status = Lead.Status.DISMISSED
        lead.save(update_fields=["status"])
        record_audit(
            actor=Actor.of(user, client),
            action="lead.dismiss",
            object_type="lead",
            object_id=lead.pk,
            changes={"status": ["new", "dismissed"]},
            reason=reason,
        )
    return lead
