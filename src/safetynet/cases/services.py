"""Writes on leads and cases: the single procedure (二(三)).

Every service takes the acting user, fetches the case through the scoped selectors (outside the
area is a 404 like missing), checks the permission the workflow names (403), takes the case's
optimistic lock (a conditional UPDATE on the version the user saw: 409 when someone else moved
first), writes its record, moves the state through `workflow.check`, audits, and queues its
notifications on commit — all in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.accounts.roles import PERMISSIONS, Perm, Role
from safetynet.assessments import services as assessments
from safetynet.assessments.models import Assessment
from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.cases import notifications, selectors, workflow
from safetynet.cases.models import (
    OPEN_STATES,
    Attachment,
    Case,
    CaseTransition,
    Channel,
    DeadlineExtension,
    HouseholdStatus,
    Investigation,
    Lead,
    LeadingGroupDecision,
    Notice,
    Objection,
    PublicAttempt,
    RefusalLetter,
    TownshipDecision,
    VerificationResult,
    VillageReview,
)
from safetynet.cases.workflow import State
from safetynet.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    SafetynetError,
    Throttled,
    ValidationFailed,
)
from safetynet.core.masking import mask_name
from safetynet.core.money import parse_yuan
from safetynet.core.resident_id import parse_resident_id
from safetynet.registry import selectors as registry_selectors
from safetynet.registry import services as registry
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Area, Household, Membership, Person
from safetynet.workdays.services import work_calendar

PHONE_RE = re.compile(r"^1\d{10}$")
PUBLIC_APPLY_LIMIT = 5  # per client address and hour
PUBLIC_STATUS_LIMIT = 30
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {
    b"%PDF": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG": ("image/png", "png"),
}
REFUSAL_EXPLAIN_WORKING_DAYS = 3  # POLICY §9 [local pattern]

CATEGORY_LABELS = {
    "tekun": "特困人员",
    "dibao": "低保",
    "dibao_edge": "低保边缘家庭",
    "rigid_hardship": "刚性支出困难家庭",
    "other_low_income": "其他低收入人口",
    "individual_dibao": "单人保（低保）",
    "none": "不符合条件",
}
MONITORING_TYPES = {
    "unstable_alleviated": "脱贫不稳定户",
    "edge_prone": "边缘易致贫户",
    "sudden_hardship": "突发严重困难户",
}
HARDSHIP_CAUSES = {
    "illness": "因病",
    "disability": "因残",
    "education": "因学",
    "disaster": "因灾",
    "accident": "意外事故",
    "unemployment": "失业或务工就业不稳",
    "old_age": "年老体弱",
    "lack_of_labour": "缺劳动力",
    "other": "其他",
}
RISK_EVENTS = {
    "illness": "重病",
    "disaster": "自然灾害",
    "accident": "意外事故",
    "unemployment": "失业",
    "education": "子女上学负担",
}
BENEFIT_CATEGORIES = {"tekun", "dibao"}
MEMBER_BENEFIT_CATEGORIES = {"tekun", "individual_dibao"}
# Which permission the work of each open state needs (who gets it in their inbox).
STATE_WORK = {
    State.ACCEPTED: Perm.INVESTIGATE,
    State.INVESTIGATION: Perm.INVESTIGATE,
    State.VERIFICATION: Perm.VERIFY,
    State.VILLAGE_REVIEW: Perm.VILLAGE_REVIEW,
    State.TOWNSHIP_DECISION: Perm.TOWNSHIP_DECIDE,
    State.LEADING_GROUP: Perm.LEADING_GROUP_DECIDE,
    State.NOTICE: Perm.MANAGE_NOTICE,
    State.COUNTY_FILING: Perm.COUNTY_FILE,
}
WORK_LABELS = {
    State.ACCEPTED: "待开始入户调查",
    State.INVESTIGATION: "待入户调查",
    State.VERIFICATION: "待经济状况核对",
    State.VILLAGE_REVIEW: "待村级初审（民主评议）",
    State.TOWNSHIP_DECISION: "待乡镇审核确认",
    State.LEADING_GROUP: "待县领导小组认定",
    State.NOTICE: "公示中，期满无异议后报县级备案",
    State.COUNTY_FILING: "待县级备案",
}


def today() -> dt.date:
    """The procedure's clock (tests move it)."""
    return timezone.localdate()


def _require(user, perm: Perm | str, what: str = "此操作") -> None:
    if not user.can(Perm(perm)):
        raise PermissionDenied(f"您的角色无权执行{what}。")


def _params(code: str, on: dt.date):
    return assessments.parameter_set(code).on(on)


def _text(value, field: str, label: str, *, required: bool = True, max_length: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字。", field=field)
    return value


def _roles_with(perm: Perm) -> list[str]:
    return [r.value for r, perms in PERMISSIONS.items() if perm in perms and r != Role.ADMIN]


def _next_reference(prefix: str, model, day: dt.date) -> str:
    """XN-L-2026-000001: county short name, kind, year, running number within the year."""
    stem = f"{prefix}-{day.year}-"
    last = (
        model.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
    )
    n = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{n:06d}"


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
    day = today()
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
                    users = selectors.users_in_reach_of(village.code, _roles_with(Perm.ACCEPT_CASE))
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


def _id_number(raw: str, field: str, *, required: bool) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        if required:
            raise ValidationFailed("请填写身份证号码。", field=field)
        return ""
    return parse_resident_id(raw, field=field).number


def _phone(raw: str, field: str, *, required: bool) -> str:
    raw = (raw or "").strip()
    if not raw and required:
        raise ValidationFailed("请填写手机号码。", field=field)
    if raw and not PHONE_RE.match(raw):
        raise ValidationFailed("手机号码应为11位数字。", field=field)
    return raw


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
            code=str(village_code), level=Area.Level.VILLAGE, code__startswith="141029"
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
    State.REFUSED: "已办结（书面告知已发出）",
    State.WITHDRAWN: "已撤回",
}


def public_status(*, reference: str, id_last4: str, client: str) -> dict:
    """Coarse progress of a lead for the applicant: no personal data, the same answer for a wrong
    reference and a wrong ID suffix."""
    _throttle(client, "status", PUBLIC_STATUS_LIMIT)
    lead = Lead.objects.filter(reference=(reference or "").strip().upper()).select_related("case").first()
    suffix = (id_last4 or "").strip().upper()
    if lead is None or len(suffix) != 4 or not lead.subject_id_number.upper().endswith(suffix):
        raise NotFound("未找到该申请，请核对受理编号和身份证号码后四位。", code="application_not_found")
    stage = lead.case.state if lead.case_id else lead.status
    if lead.status == Lead.Status.IN_CASE and not lead.case_id:
        stage = "new"
    return {
        "reference": lead.reference,
        "received_on": timezone.localtime(lead.received_at).date(),
        "stage": PUBLIC_STAGES.get(stage, "办理中"),
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


# ---- the case and its lock -------------------------------------------------------------------


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
    on = on or today()
    r = case.round
    members = _counted_members(case.household)
    verified = set(VerificationResult.objects.filter(case=case, round=r).values_list("person_id", flat=True))
    review = VillageReview.objects.filter(case=case, round=r).order_by("-id").first()
    decision = TownshipDecision.objects.filter(case=case, round=r).order_by("-id").first()
    lg = LeadingGroupDecision.objects.filter(case=case, round=r).order_by("-id").first()
    notice = Notice.objects.filter(case=case, round=r, status="open").order_by("-id").first()
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
        notice_min_days=notice.min_days if notice else 5,
        open_objection=False,
        reason=reason,
    )


def _assign(case: Case) -> None:
    """Put the case's next step in the inbox of those who do it, in its area."""
    perm = STATE_WORK.get(State(case.state))
    if perm is None:
        return
    users = selectors.users_in_reach_of(case.household.village.code, _roles_with(perm))
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
    on = on or today()
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


def accept_case(
    *,
    user,
    household,
    lead_ids=(),
    summary: str = "",
    applicant_phone: str = "",
    client: str = "",
) -> tuple[Case, bool]:
    """受理: open a case for the household (the clock starts), or merge the leads into the open
    one. Returns (case, created)."""
    _require(user, Perm.ACCEPT_CASE, "受理")
    household = registry_selectors.get_household(user, getattr(household, "pk", household))
    leads = [selectors.get_lead(user, pk) for pk in lead_ids or ()]
    for lead in leads:
        if lead.status != Lead.Status.NEW:
            raise Conflict(f"线索{lead.reference}已处理。", code="lead_not_new", field="lead_ids")
        if lead.household_id and lead.household_id != household.pk:
            raise ValidationFailed(f"线索{lead.reference}属于另一户。", field="lead_ids")
    phone = _phone(applicant_phone, "applicant_phone", required=False)
    actor = Actor.of(user, client)
    on = today()
    with transaction.atomic():
        existing = selectors.open_case_of(household)
        others = list(
            Lead.objects.filter(household=household, status=Lead.Status.NEW).exclude(
                pk__in=[lead.pk for lead in leads]
            )
        )
        if existing:
            for lead in leads + others:
                _merge_lead(lead, existing, actor)
            return existing, False
        params = _params(household.village.code, on)
        deadline = work_calendar().add_working_days(on, int(params["procedure.deadline_working_days"]))
        head = household.head
        phone = phone or next((lead.contact_phone for lead in leads if lead.contact_phone), "")
        phone = phone or (head.phone if head and head.phone and PHONE_RE.match(head.phone) else "")
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=_next_reference("XN-C", Case, on),
                    household=household,
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
            actor=user,
            actor_name=user.username,
            actor_role=user.role,
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
        notifications.queue_message(
            case,
            "receipt",
            f"您的社会救助申请已受理（编号{case.reference}），将于{deadline.date:%Y年%m月%d日}前办结。",
        )
        _assign(case)
    return case, True


def transition_case(
    *, user, case, name: str, expected_version: int | None, reason: str = "", client: str = ""
) -> Case:
    """The transitions that need no record of their own (start investigation, start
    verification, complete verification, close the notice, withdrawal)."""
    t = workflow.transition(name)
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
            notice.status, notice.closed_on = "closed", today()
            notice.save(update_fields=["status", "closed_on"])
    return case


def withdraw_case(*, user, case, expected_version: int | None, reason: str, client: str = "") -> Case:
    return transition_case(
        user=user, case=case, name="withdraw", expected_version=expected_version, reason=reason, client=client
    )


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


# ---- investigation, consent and other uploads ------------------------------------------------


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in UPLOAD_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


def upload_attachment(
    *, user, case, kind: str, upload, expected_version: int | None = None, client: str = ""
) -> Attachment:
    """A scan or photo (PDF, JPEG or PNG, at most 10 MB): the signed 承诺授权书 or the signed
    民主评议 record. The type is read from the file's content, not its name."""
    if kind not in Attachment.Kind.values:
        raise ValidationFailed("材料类型无效。", field="kind")
    perm = Perm.VILLAGE_REVIEW if kind == Attachment.Kind.VILLAGE_REVIEW else Perm.INVESTIGATE
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, perm, "上传材料")
    if not case.is_open:
        raise Conflict("案件已办结，不能再上传材料。", code="case_closed")
    if upload is None:
        raise ValidationFailed("请选择要上传的文件。", field="file")
    size = upload.size or 0
    if size == 0:
        raise ValidationFailed("文件为空。", field="file")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed("文件不能超过10MB。", field="file")
    data = upload.read()
    sniffed = _sniff(data[:8])
    if sniffed is None:
        raise ValidationFailed("只能上传PDF、JPG或PNG格式的扫描件或照片。", field="file")
    content_type, ext = sniffed
    saved: list[str] = []
    try:
        return _store_attachment(
            user, case, kind, upload, data, content_type, ext, expected_version, client, saved
        )
    except BaseException:
        for name in saved:  # the transaction rolled back: no file may outlive its row
            Attachment.file.field.storage.delete(name)
        raise


def _store_attachment(user, case, kind, upload, data, content_type, ext, expected_version, client, saved):
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        row = Attachment(
            case=case,
            kind=kind,
            original_name=(getattr(upload, "name", "") or "")[-200:],
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            round=case.round,
            uploaded_by=user,
        )
        row.file.save(f"{case.reference}-{kind}-{uuid.uuid4().hex[:8]}.{ext}", ContentFile(data), save=False)
        saved.append(row.file.name)
        row.save()
        record_audit(
            actor=Actor.of(user, client),
            action="case.upload",
            object_type="case",
            object_id=case.pk,
            changes={"kind": [None, kind], "sha256": [None, row.sha256], "size": [None, row.size]},
        )
    return row


MEMBER_FACTS = (
    "income_wage_12m",
    "income_business_12m",
    "income_property_12m",
    "income_transfer_12m",
    "income_excluded_12m",
    "disability_kind",
    "disability_grade",
    "major_illness",
    "fulltime_education",
    "labour_capacity",
    "self_care_failed",
)
PERSON_INPUT_FIELDS = ("id_number", "name", "sex", "birth_date", "phone", "bank_account") + MEMBER_FACTS


def _prefixed(err: SafetynetError, prefix: str) -> SafetynetError:
    err.field = f"{prefix}{err.field}" if err.field else prefix.rstrip(".")
    return err


def record_investigation(
    *,
    user,
    case,
    expected_version: int | None,
    visited_on: dt.date,
    investigators: str,
    members: list[dict] = (),
    household_facts: dict | None = None,
    hardship_causes: list[str] = (),
    risk: list[str] = (),
    living_conditions: str = "",
    notes: str = "",
    client: str = "",
) -> Investigation:
    """入户调查: the members' incomes and conditions, the family's assets and rigid expenditure,
    causes of hardship and return-to-poverty risk. The declared facts go into the registry
    through its services (audited there), so the engine assesses what the officer found.

    `members`: [{"membership_id", <any of MEMBER_FACTS>, "notes"}]; `household_facts`: what
    `registry.services.update_household_facts` takes."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.INVESTIGATE, "入户调查")
    _require_state(case, State.INVESTIGATION, expected_version=expected_version)
    if not isinstance(visited_on, dt.date):
        raise ValidationFailed("请填写入户日期。", field="visited_on")
    if visited_on > today():
        raise ValidationFailed("入户日期不能晚于今天。", field="visited_on")
    if visited_on < case.accepted_on:
        raise ValidationFailed("入户日期不能早于受理日期。", field="visited_on")
    investigators = _text(investigators, "investigators", "调查人员（至少两人）", max_length=200)
    bad = [c for c in hardship_causes or () if c not in HARDSHIP_CAUSES]
    if bad or not hardship_causes:
        raise ValidationFailed(
            "请选择致困原因。" if not bad else f"未知的致困原因：{'、'.join(bad)}。", field="hardship_causes"
        )
    bad = [r for r in risk or () if r not in RISK_EVENTS]
    if bad:
        raise ValidationFailed(f"未知的风险事件：{'、'.join(bad)}。", field="risk")
    household = case.household
    current = {m.pk: m for m in registry_selectors.current_members(household)}
    seen = set()
    for i, m in enumerate(members or ()):
        mid = m.get("membership_id")
        if mid not in current:
            raise ValidationFailed("该成员不是本户当前成员。", field=f"members[{i}].membership_id")
        if mid in seen:
            raise ValidationFailed("同一成员重复填写。", field=f"members[{i}].membership_id")
        seen.add(mid)
        unknown = set(m) - {"membership_id", "notes", *MEMBER_FACTS}
        if unknown:
            raise ValidationFailed(f"未知字段：{'、'.join(sorted(unknown))}。", field=f"members[{i}]")
    facts = dict(household_facts or {})
    facts["risk_events"] = list(dict.fromkeys(risk or ()))
    actor = Actor.of(user, client)
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        snapshot = []
        for i, m in enumerate(members or ()):
            ms = current[m["membership_id"]]
            p = ms.person
            values = {f: getattr(p, f) for f in PERSON_INPUT_FIELDS}
            values.update({k: v for k, v in m.items() if k in MEMBER_FACTS})
            try:
                registry.update_member(
                    user=user,
                    household=household,
                    membership=ms,
                    person=registry.PersonInput(**values),
                    membership_data=registry.MembershipInput(
                        relation=ms.relation,
                        co_resident=ms.co_resident,
                        not_counted_reason=ms.not_counted_reason,
                    ),
                    client=client,
                )
            except SafetynetError as err:
                raise _prefixed(err, f"members[{i}].") from None
            snapshot.append(
                {
                    "membership_id": ms.pk,
                    "person_id": p.pk,
                    **{k: str(v) if isinstance(v, Decimal) else v for k, v in m.items() if k in MEMBER_FACTS},
                    "notes": (m.get("notes") or "")[:1000],
                }
            )
        try:
            registry.update_household_facts(user=user, household=household, facts=facts, client=client)
        except SafetynetError as err:
            raise _prefixed(err, "household_facts.") from None
        row = Investigation.objects.create(
            case=case,
            round=case.round,
            visited_on=visited_on,
            investigators=investigators,
            members=snapshot,
            household_facts={k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.items()},
            hardship_causes=list(dict.fromkeys(hardship_causes)),
            risk=facts["risk_events"],
            living_conditions=(living_conditions or "").strip()[:4000],
            notes=(notes or "").strip()[:4000],
            recorded_by=user,
        )
        record_audit(
            actor=actor,
            action="case.investigation",
            object_type="case",
            object_id=case.pk,
            changes={
                "round": [None, case.round],
                "visited_on": [None, visited_on.isoformat()],
                "members": [None, len(snapshot)],
            },
        )
    return row


# ---- verification ------------------------------------------------------------------------------

VERIFICATION_SOURCES = {
    "hukou": "户籍",
    "social_insurance": "社会保险",
    "real_estate": "不动产",
    "market_entity": "市场主体",
    "vehicles": "车船",
    "financial_assets": "金融资产",
}


def _store_results(case: Case, results: list[dict], entered_by, origin: str) -> list[VerificationResult]:
    members = {
        m.person_id: m for m in Membership.objects.filter(household=case.household, left_on__isnull=True)
    }
    rows = []
    for i, r in enumerate(results):
        person_id = r.get("person_id")
        if person_id is None and r.get("id_number"):
            person = Person.objects.filter(id_index=blind_index(str(r["id_number"]).strip().upper())).first()
            person_id = person.pk if person else None
        if person_id not in members:
            raise ValidationFailed("该人员不是本户当前成员。", field=f"results[{i}].person_id")
        outcome = r.get("outcome")
        if outcome not in VerificationResult.Outcome.values:
            raise ValidationFailed("核对结论应为一致、不一致或未查询到数据。", field=f"results[{i}].outcome")
        sources = r.get("sources") or {}
        if not isinstance(sources, dict) or set(sources) - set(VERIFICATION_SOURCES):
            raise ValidationFailed(
                f"核对来源应为：{'、'.join(VERIFICATION_SOURCES)}。", field=f"results[{i}].sources"
            )
        if outcome == "discrepancy" and not (r.get("summary") or "").strip():
            raise ValidationFailed("核对结果与申报不一致时须写明差异。", field=f"results[{i}].summary")
        rows.append(
            VerificationResult(
                case=case,
                round=case.round,
                person_id=person_id,
                outcome=outcome,
                sources=sources,
                summary=(r.get("summary") or "").strip()[:4000],
                origin=origin,
                external_ref=str(r.get("external_ref") or "")[:64],
                entered_by=entered_by,
            )
        )
    created = VerificationResult.objects.bulk_create(rows)
    for row in created:  # the latest result per member and round counts; earlier ones are kept
        VerificationResult.objects.filter(
            case=case, round=case.round, person_id=row.person_id, superseded_by__isnull=True, pk__lt=row.pk
        ).update(superseded_by=row)
    return created


def record_verification_results(
    *, user, case, results: list[dict], expected_version: int | None = None, client: str = ""
) -> list[VerificationResult]:
    """Manual entry of per-member verification results (until the verification app sends them).

    `results`: [{"person_id" (or "id_number"), "outcome": consistent|discrepancy|no_data,
    "sources": {"hukou": {...}, …}, "summary"}]. A later result for a member supersedes earlier ones."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.VERIFY, "录入核对结果")
    _require_state(case, State.VERIFICATION, expected_version=expected_version)
    if not results:
        raise ValidationFailed("请至少录入一名成员的核对结果。", field="results")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        rows = _store_results(case, results, user, "manual")
        record_audit(
            actor=Actor.of(user, client),
            action="case.verification_results",
            object_type="case",
            object_id=case.pk,
            changes={"members": [None, sorted({r.person_id for r in rows})]},
        )
    return rows


def attach_verification_results(
    case: Case, results: list[dict], actor: Actor = SYSTEM, *, advance: bool = False
) -> list[VerificationResult]:
    """For the verification app: attach automatic per-member results to an open case.

    Same `results` shape as `record_verification_results` (plus optional "external_ref"); no
    user and no permission check (the caller is the system). With `advance`, a case in
    verification whose every counted member now has a result moves on to the village review."""
    with transaction.atomic():
        case = _lock(None, case, None)
        return _attach_results(case, results, actor, advance=advance)


def _attach_results(
    case: Case, results: list[dict], actor: Actor, *, entered_by=None, advance: bool = False
) -> list[VerificationResult]:
    """Attach automatic results to a case already locked by the caller's transaction."""
    if not case.is_open:
        raise Conflict("案件已办结。", code="case_closed")
    rows = _store_results(case, results, entered_by, "automatic")
    record_audit(
        actor=actor,
        action="case.verification_results",
        object_type="case",
        object_id=case.pk,
        changes={
            "members": [None, sorted({r.person_id for r in rows})],
            "origin": [None, "automatic"],
            "external_ref": [None, sorted({r.external_ref for r in rows if r.external_ref})],
        },
    )
    if advance and case.state == State.VERIFICATION:
        facts = _facts(case)
        if facts.members_verified == facts.members_to_verify:
            _fire(None, case, "complete_verification", actor=actor, check_perm=False)
    return rows


# The verification app's sources that are the six of the 经济状况核对 record (others — 医保, 残联,
# 教育… — are warnings: what they found goes into the summary, not into `sources`).
REPORT_SOURCES = {
    "hukou": "hukou",
    "social_insurance": "social_insurance",
    "real_estate": "real_estate",
    "business": "market_entity",
    "vehicle": "vehicles",
    "financial": "financial_assets",
}


def _same(declared, verified) -> bool:
    """Whether a comparison row's two values agree ("1 / 86000.00" compares part by part)."""
    a, b = str(declared).split(" / "), str(verified).split(" / ")
    try:
        return len(a) == len(b) and all(Decimal(x) == Decimal(y) for x, y in zip(a, b, strict=True))
    except InvalidOperation:
        return declared == verified


def _member_results(report: dict, comparison: list[dict]) -> list[dict]:
    """One result per counted member from a verification report and its declared-vs-verified
    comparison (`verification.report.verified_input`).

    A member's result is a discrepancy when a compared value differs from the declaration and
    concerns them: a field of theirs (`members.<i>…`), or a household total whose provenance
    includes what a department holds about them. No data: nothing found about them in any source
    queried. Otherwise consistent. The summary is the differences, then every finding with its
    provenance (source, as-of date)."""
    results = []
    for i, m in enumerate(report["members"]):
        if not m["counted"]:
            continue
        findings = [e["text"] for s in m["sources"] if s["queried"] for e in s["effects"]]
        mine = set(findings)
        differences = [
            c
            for c in comparison
            if c["verified"] is not None
            and not _same(c["declared"], c["verified"])
            and (
                c["field"] == f"members.{i}"
                or c["field"].startswith(f"members.{i}.")
                or mine & set(c["provenance"])
            )
        ]
        sources = {
            REPORT_SOURCES[s["source"]]: {
                "source": s["source"],
                "label": s["label"],
                "department": s["department"],
                "period": s["period"],
                "found": s["found"],
                "as_of": s["as_of"],
                "findings": [e["text"] for e in s["effects"]],
            }
            for s in m["sources"]
            if s["queried"] and s["source"] in REPORT_SOURCES
        }
        queried = [s["label"] for s in m["sources"] if s["queried"]]
        lines = [
            f"{c['label']}：申报 {c['declared']}，核对 {c['verified']}，"
            f"认定采用{'核对值' if c['used'] == 'verified' else '申报值'}"
            for c in differences
        ]
        lines += findings
        if differences:
            outcome = "discrepancy"
        elif any(s["queried"] and s["found"] for s in m["sources"]):
            outcome = "consistent"
            lines.insert(0, "核对结果与申报一致。")
        else:
            outcome = "no_data"
            lines.append(
                f"已查询{'、'.join(queried)}，均无该成员记录。" if queried else "各部门尚未提供核对数据。"
            )
        unqueried = [s["label"] for s in m["sources"] if not s["queried"] and s["source"] in REPORT_SOURCES]
        if unqueried:
            lines.append(f"未提供数据：{'、'.join(unqueried)}。")
        results.append(
            {
                "person_id": m["person_id"],
                "outcome": outcome,
                "sources": sources,
                "summary": "\n".join(lines),
                "external_ref": str(report["id"]),
            }
        )
    return results


def request_case_verification(*, user, case, expected_version: int | None = None, client: str = "") -> dict:
    """发起经济状况核对: query every department source for every member of the case's household
    (`verification.services.request_verification`, which stores and audits the report) and attach
    one result per counted member to this round of the case. A repeated request makes a new report
    whose results supersede the earlier ones. Needs the signed 承诺授权书 (the legal basis for
    querying the family's data: refused first, with its field) and the verification step.

    Returns {"report", "results", "comparison"}."""
    from safetynet.verification.report import verified_input
    from safetynet.verification.services import request_verification

    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.VERIFY, "经济状况核对")
    if not Attachment.objects.filter(case=case, kind=Attachment.Kind.CONSENT).exists():
        raise ValidationFailed(
            "承诺授权书未上传，不能发起经济状况核对。", code="consent_missing", field="consent"
        )
    _require_state(case, State.VERIFICATION, expected_version=expected_version)
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        _require_state(case, State.VERIFICATION)
        report = request_verification(case, user, client=client)
        _, comparison = verified_input(case.household, report)
        rows = _attach_results(
            case, _member_results(report, comparison), Actor.of(user, client), entered_by=user
        )
    return {"report": report, "results": rows, "comparison": comparison}


# ---- village review ------------------------------------------------------------------------------


def _qualifies(result: dict) -> bool:
    return result["category"] != "none" or bool(result.get("refer_other_low_income"))


def record_village_review(
    *,
    user,
    case,
    expected_version: int | None,
    held_on: dt.date,
    attendees: str,
    attendee_count: int,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    record_id: int,
    notes: str = "",
    client: str = "",
) -> VillageReview:
    """村级初审 (民主评议). More than half of those present for → passed, to the township. A failed
    vote on a family whose income and assets qualify (the engine, now) → investigated again;
    otherwise the case waits in review for a written refusal."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.VILLAGE_REVIEW, "民主评议记录")
    _require_state(case, State.VILLAGE_REVIEW, expected_version=expected_version)
    if not isinstance(held_on, dt.date) or held_on > today():
        raise ValidationFailed("评议日期不能晚于今天。", field="held_on")
    attendees = _text(attendees, "attendees", "参会人员", max_length=2000)
    for name, value in (
        ("attendee_count", attendee_count),
        ("votes_for", votes_for),
        ("votes_against", votes_against),
        ("abstentions", abstentions),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 500:
            raise ValidationFailed("应为0至500的整数。", field=name)
    if attendee_count < 3:
        raise ValidationFailed("民主评议参会人数不少于3人。", field="attendee_count")
    if votes_for + votes_against + abstentions > attendee_count:
        raise ValidationFailed("赞成、反对、弃权票合计不能超过参会人数。", field="votes_for")
    record = Attachment.objects.filter(
        pk=record_id, case=case, kind=Attachment.Kind.VILLAGE_REVIEW, round=case.round
    ).first()
    if record is None:
        raise ValidationFailed(
            "请先上传本轮民主评议签字记录。", code="review_record_missing", field="record_id"
        )
    result = "passed" if votes_for * 2 > attendee_count else "failed"
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        assessment = _assess(user=user, case=case, client=client)
        review = VillageReview.objects.create(
            case=case,
            round=case.round,
            held_on=held_on,
            attendees=attendees,
            attendee_count=attendee_count,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            result=result,
            notes=(notes or "").strip()[:4000],
            record=record,
            assessment=assessment,
            qualifies=_qualifies(assessment.result),
            recorded_by=user,
        )
        record_audit(
            actor=Actor.of(user, client),
            action="case.village_review",
            object_type="case",
            object_id=case.pk,
            changes={"result": [None, result], "votes": [None, f"{votes_for}/{votes_against}/{abstentions}"]},
        )
        summary = (
            f"民主评议{attendee_count}人参加，赞成{votes_for}票，反对{votes_against}票，弃权{abstentions}票"
        )
        if result == "passed":
            _fire(
                user,
                case,
                "village_review_passed",
                reason=summary,
                client=client,
                record={"village_review": review.pk},
            )
        elif review.qualifies:
            _fire(
                user,
                case,
                "village_review_reinvestigate",
                reason=f"{summary}；收入财产符合条件，重新入户调查",
                client=client,
                record={"village_review": review.pk},
            )
    return review


# ---- township decision ---------------------------------------------------------------------------


def _assess(*, user, case: Case, client: str = "") -> Assessment:
    """The engine on this round's facts: the verified input of the round's verification report
    (declared and verified values, which was used, provenance stored with the assessment), or the
    household's declared facts when the round has no report (results entered by hand)."""
    from safetynet.verification.report import verified_input

    report = selectors.verification_report(case)
    if report is None:
        return assessments.assess_household(
            user=user, household_id=case.household_id, on=today(), client=client
        )
    data, comparison = verified_input(case.household, report.report)
    return assessments.assess_household(
        user=user,
        household_id=case.household_id,
        on=today(),
        inputs=data,
        verification={
            "report": report.pk,
            "requested_at": report.requested_at.isoformat(),
            "sources": report.report.get("sources", {}),
            "comparison": comparison,
        },
        client=client,
    )


def current_proposal(case: Case) -> Assessment | None:
    """The engine's proposal for this round's decision: an assessment made since the case came
    to the township."""
    since = case.state_changed_at if case.state == State.TOWNSHIP_DECISION else None
    qs = Assessment.objects.filter(household=case.household, run__isnull=True)
    if since:
        qs = qs.filter(created_at__gte=since)
    return qs.order_by("-id").first()


def propose(*, user, case, client: str = "") -> Assessment:
    """Run the policy engine now and store it (the proposal): on the verified input when this
    round has a verification report, else on the household's declared facts."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.TOWNSHIP_DECIDE, "测算")
    _require_state(case, State.TOWNSHIP_DECISION)
    return _assess(user=user, case=case, client=client)


def _money(value, field: str) -> Decimal:
    return parse_yuan(value, field, blank_is_zero=False)


def _proposal_values(assessment: Assessment, household) -> dict:
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


def record_township_decision(
    *,
    user,
    case,
    expected_version: int | None,
    action: str,
    assessment_id: int | None = None,
    values: dict | None = None,
    reason: str = "",
    panel: str = "",
    client: str = "",
) -> TownshipDecision | None:
    """乡镇审核确认 by the review group, one decision for both regimes.

    `action`: "confirm" the engine's proposal (assessment `assessment_id`, default the current
    one), "override" it with `values` and a written `reason`, or "refuse" with a `reason`. The
    decision freezes the proposal's inputs, parameter version and digest. During the transition
    period (`monitoring.transition_end`) a monitored household keeps its mark: a confirm carries
    it over, an override that drops it is refused."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.TOWNSHIP_DECIDE, "审核确认")
    if action == "refuse":
        refuse_case(user=user, case=case, expected_version=expected_version, reason=reason, client=client)
        return None
    if action not in ("confirm", "override"):
        raise ValidationFailed("操作应为确认、改变或不予认定。", field="action")
    _require_state(case, State.TOWNSHIP_DECISION, expected_version=expected_version)
    panel = _text(panel, "panel", "参会审核确认小组成员", max_length=1000)
    if assessment_id is not None:
        assessment = Assessment.objects.filter(pk=assessment_id, household=case.household).first()
        if assessment is None or (case.state_changed_at and assessment.created_at < case.state_changed_at):
            raise ValidationFailed(
                "测算结果已过期，请重新测算。", code="stale_proposal", field="assessment_id"
            )
    else:
        assessment = current_proposal(case) or propose(user=user, case=case, client=client)
    proposal = _proposal_values(assessment, case.household)
    if action == "confirm":
        chosen = dict(proposal)
        # A household that is only a 防返贫监测 object (no category, the mark set) is decided too:
        # one decision serves both regimes.
        if chosen["category"] == "none" and not chosen["monitoring_marked"]:
            raise ValidationFailed(
                "测算结果为不符合条件：请选择不予认定，或改变测算建议并写明理由。",
                code="nothing_to_confirm",
                field="action",
            )
    else:
        reason = _text(reason, "reason", "改变测算建议的理由")
        chosen = _clean_override(values or {}, case.household)
        if chosen["category"] == "none" and not chosen["monitoring_marked"]:
            raise ValidationFailed("既不纳入救助也不标注防返贫监测的，请选择不予认定。", field="category")
    on = today()
    previous = selectors.current_status(case.household)
    transition_end = _params(case.household.village.code, on)["monitoring.transition_end"]
    kept = False
    if previous and previous.monitoring_marked and on <= transition_end and not chosen["monitoring_marked"]:
        if action == "override":
            raise ValidationFailed(
                f"过渡期内（{transition_end.isoformat()}前）防返贫监测对象不得退出监测。",
                code="monitoring_exit_in_transition",
                field="monitoring_marked",
            )
        chosen["monitoring_marked"], chosen["monitoring_type"], kept = True, previous.monitoring_type, True
    outcome = "refer" if chosen["category"] == "other_low_income" else "grant"
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        decision = TownshipDecision.objects.create(
            case=case,
            round=case.round,
            assessment=assessment,
            outcome=outcome,
            overridden=action == "override",
            override_reason=reason if action == "override" else "",
            category=chosen["category"],
            monitoring_marked=chosen["monitoring_marked"],
            monitoring_type=chosen["monitoring_type"],
            benefit_monthly=Decimal(chosen["benefit_monthly"]),
            members=chosen["members"],
            publishes=outcome == "grant" and _publishes(chosen),
            proposal={**assessment.result, "_proposal": proposal, "_monitoring_kept_in_transition": kept},
            inputs=assessment.inputs,
            verification=assessment.verification,
            parameters_version=assessment.parameters_version,
            parameters_digest=assessment.parameters_digest,
            rule_set_version=assessment.rule_set_version,
            panel=panel,
            decided_on=on,
            decided_by=user,
        )
        record_audit(
            actor=Actor.of(user, client),
            action="case.township_decision",
            object_type="case",
            object_id=case.pk,
            changes={
                "category": [proposal["category"], decision.category],
                "benefit_monthly": [proposal["benefit_monthly"], str(decision.benefit_monthly)],
                "monitoring": [proposal["monitoring_marked"], decision.monitoring_marked],
                "assessment": [None, assessment.pk],
                "verification_report": [None, assessment.verification.get("report")],
            },
            reason=reason,
        )
        label = CATEGORY_LABELS[decision.category]
        if decision.category == "none" and decision.monitoring_marked:
            label = f"防返贫监测对象（{MONITORING_TYPES.get(decision.monitoring_type, decision.monitoring_type)}）"
        text = reason or f"确认测算建议：{label}"
        if outcome == "refer":
            _fire(
                user,
                case,
                "refer_leading_group",
                reason=text,
                client=client,
                record={"decision": decision.pk},
            )
        elif decision.publishes:
            _fire(
                user, case, "decide_with_notice", reason=text, client=client, record={"decision": decision.pk}
            )
            _open_notice(case, decision, on)
        else:
            _fire(
                user,
                case,
                "decide_without_notice",
                reason=text,
                client=client,
                record={"decision": decision.pk},
            )
    return decision


def explain_decision(*, user, decision_id) -> dict:
    """Recompute a past decision's proposal from its frozen inputs and the parameters of its time."""
    decision = TownshipDecision.objects.filter(
        pk=decision_id, case__in=selectors.cases_visible_to(user)
    ).first()
    if decision is None:
        raise NotFound("未找到该决定。", code="decision_not_found")
    again = assessments.recompute(decision.assessment)
    frozen = {k: v for k, v in decision.proposal.items() if not k.startswith("_")}
    return {
        "decision": decision.pk,
        "parameters_version": decision.parameters_version,
        "parameters_digest": decision.parameters_digest,
        "rule_set_version": decision.rule_set_version,
        "identical": again == frozen,
        "recomputed": again,
        "frozen": frozen,
    }


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
            decided_on=today(),
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
            decision = TownshipDecision.objects.filter(case=case, round=case.round).order_by("-id").first()
            if decision is None:
                raise ValidationFailed("乡镇审核确认决定未作出。", code="decision_missing")
            name = "leading_group_with_notice" if decision.publishes else "leading_group_without_notice"
            _fire(user, case, name, reason=opinion, client=client, record={"leading_group": row.pk})
            if decision.publishes:
                _open_notice(case, decision, today())
    return row


# ---- notice -------------------------------------------------------------------------------------


def _notice_entries(case: Case, decision: TownshipDecision) -> list[dict]:
    """What the village board may show: masked names, category, family size and amount, nothing else
    (no ID, phone, bank or health data)."""
    village = case.household.village.name
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
    received_on = received_on or today()
    if received_on > today():
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


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def file_case(
    *, user, case, expected_version: int | None, note: str = "", client: str = ""
) -> HouseholdStatus:
    """县级备案 and 录入建档: the household's current status, its effective month (payment starts
    the month after approval) and amounts."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.COUNTY_FILE, "县级备案")
    _require_state(case, State.COUNTY_FILING, expected_version=expected_version)
    on = today()
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        decision = TownshipDecision.objects.filter(case=case, round=case.round).order_by("-id").first()
        if decision is None:
            raise ValidationFailed("乡镇审核确认决定未作出。", code="decision_missing")
        lg = LeadingGroupDecision.objects.filter(case=case, round=case.round, approved=True).first()
        approved_on = lg.decided_on if lg else decision.decided_on
        HouseholdStatus.objects.filter(household=case.household, current=True).update(current=False)
        status = HouseholdStatus.objects.create(
            household=case.household,
            case=case,
            decision=decision,
            category=decision.category,
            monitoring_marked=decision.monitoring_marked,
            monitoring_type=decision.monitoring_type,
            benefit_monthly=decision.benefit_monthly,
            members=decision.members,
            approved_on=approved_on,
            effective_month=_month_after(approved_on),
            filed_by=user,
            filed_on=on,
            filing_note=(note or "").strip()[:2000],
        )
        _fire(
            user, case, "county_file", reason=note or "县级备案", client=client, record={"status": status.pk}
        )
        amount = f"，每月{decision.benefit_monthly}元" if decision.benefit_monthly else ""
        notifications.queue_message(
            case,
            "approval",
            f"您的救助申请（{case.reference}）已认定为{CATEGORY_LABELS[decision.category]}{amount}，"
            f"自{status.effective_month:%Y年%m月}起享受。",
        )
        if decision.monitoring_marked:
            agri = selectors.users_in_reach_of(case.household.village.code, [Role.COUNTY_AGRI.value])
            notifications.notify_users(
                agri,
                case=case,
                kind="assigned",
                title=f"{case.reference}：新纳入防返贫监测对象（{MONITORING_TYPES.get(decision.monitoring_type, '')}）",
                key=f"case:{case.pk}:monitoring",
            )
    return status


# ---- refusal, deadlines ------------------------------------------------------------------------


def _refuse_locked(user, case: Case, name: str, reason: str, client: str) -> RefusalLetter:
    step = case.state
    _fire(user, case, name, reason=reason, client=client)
    on = today()
    due = work_calendar().add_working_days(on, REFUSAL_EXPLAIN_WORKING_DAYS)
    text = (
        f"{case.applicant_name}：\n您于{case.accepted_on:%Y年%m月%d日}提出的社会救助申请（编号{case.reference}），"
        f"经{workflow.STATE_LABELS[State(step)]}，不予认定。理由如下：\n{reason}\n"
        "如对本决定有异议，可自收到本告知书之日起60日内申请行政复议，或6个月内提起行政诉讼。"
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


def refuse_case(*, user, case, expected_version: int | None, reason: str, client: str = "") -> RefusalLetter:
    """不予认定 at any step, with a written reason: the refusal letter, to be explained within 3
    working days (its due date recorded)."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    if not case.is_open:
        raise Conflict("案件已办结。", code="invalid_transition")
    t = workflow.refusal_for(case.state)
    _require(user, t.perm, "不予认定")
    reason = _text(reason, "reason", "不予认定的书面理由")
    with transaction.atomic():
        case = _lock(user, case, expected_version)
        return _refuse_locked(user, case, t.name, reason, client)


def request_extension(*, user, case, reason: str, client: str = "") -> DeadlineExtension:
    """Ask once to extend the deadline to `procedure.extended_working_days`; the review leader decides."""
    case = selectors.get_case(user, getattr(case, "pk", case))
    _require(user, Perm.REQUEST_EXTENSION, "申请延期")
    reason = _text(reason, "reason", "延期理由")
    if not case.is_open:
        raise Conflict("案件已办结。", code="case_closed")
    if case.extended or case.extensions.filter(status__in=("pending", "approved")).exists():
        raise Conflict("办理时限只能延长一次。", code="already_extended")
    with transaction.atomic():
        row = DeadlineExtension.objects.create(case=case, reason=reason, requested_by=user)
        record_audit(
            actor=Actor.of(user, client),
            action="case.extension_request",
            object_type="case",
            object_id=case.pk,
            changes={"extension": [None, row.pk]},
            reason=reason,
        )
        leaders = selectors.users_in_reach_of(case.household.village.code, [Role.REVIEW_LEADER.value])
        notifications.notify_users(
            leaders,
            case=case,
            kind="extension",
            title=f"{case.reference}：延期申请待审批",
            key=f"extension:{row.pk}",
        )
    return row


def decide_extension(
    *,
    user,
    extension_id,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    client: str = "",
) -> DeadlineExtension:
    """The township review leader approves (deadline → the extended working days from acceptance) or not."""
    _require(user, Perm.APPROVE_EXTENSION, "审批延期")
    try:
        ext = DeadlineExtension.objects.filter(
            pk=int(extension_id), case__in=selectors.cases_visible_to(user)
        ).first()
    except (TypeError, ValueError):
        ext = None  # a malformed id is a missing one
    if ext is None:
        raise NotFound("未找到该延期申请。", code="extension_not_found")
    if ext.status != "pending":
        raise Conflict("该延期申请已审批。", code="extension_decided")
    if not approve:
        note = _text(note, "note", "不予批准的理由")
    with transaction.atomic():
        case = _lock(user, ext.case, expected_version)
        if not case.is_open:
            raise Conflict("案件已办结。", code="case_closed")
        ext.status, ext.decided_by, ext.decided_at = (
            ("approved" if approve else "rejected"),
            user,
            timezone.now(),
        )
        ext.decision_note = (note or "").strip()[:2000]
        changes = {"extension": ["pending", ext.status]}
        if approve:
            days = int(
                _params(case.household.village.code, case.accepted_on)["procedure.extended_working_days"]
            )
            new = work_calendar().add_working_days(case.accepted_on, days)
            ext.new_deadline = new.date
            changes["deadline"] = [case.deadline.isoformat(), new.date.isoformat()]
            Case.objects.filter(pk=case.pk).update(
                deadline=new.date, deadline_provisional=new.provisional, extended=True
            )
            case.deadline, case.deadline_provisional, case.extended = new.date, new.provisional, True
        ext.save()
        record_audit(
            actor=Actor.of(user, client),
            action="case.extension_decide",
            object_type="case",
            object_id=case.pk,
            changes=changes,
            reason=ext.reason if approve else note,
        )
    return ext


def scan_deadlines(on: dt.date | None = None) -> dict:
    """Daily: put due-soon and overdue cases in the inbox of those working on them and of the
    township review leader. Idempotent (one item per case, kind and deadline)."""
    on = on or today()
    cal = work_calendar()
    counts = {"due": 0, "overdue": 0}
    for case in Case.objects.filter(state__in=OPEN_STATES).select_related("household__village"):
        k = selectors.clock(case, on, cal)
        if not (k.overdue or k.due_soon):
            continue
        kind = "overdue" if k.overdue else "due"
        roles = [*_roles_with(STATE_WORK[State(case.state)]), Role.REVIEW_LEADER.value]
        users = selectors.users_in_reach_of(case.household.village.code, roles)
        title = (
            f"{case.reference}：已超过办结时限{case.deadline:%m月%d日}"
            if k.overdue
            else f"{case.reference}：{case.deadline:%m月%d日}到期（剩余{k.remaining}个工作日）"
        )
        counts[kind] += notifications.notify_users(
            users, case=case, kind=kind, title=title, key=f"case:{case.pk}:{kind}:{case.deadline}"
        )
    return counts


def mark_read(*, user, item_id) -> None:
    from safetynet.cases.models import InboxItem

    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        return  # not an item of this user's: nothing to mark, as for another user's item
    InboxItem.objects.filter(pk=item_id, user=user, read_at__isnull=True).update(read_at=timezone.now())
