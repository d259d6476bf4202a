"""入户调查: the investigation record and the uploads (承诺授权书, 民主评议 record)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.cases import selectors
from safetynet.cases.models import (
    Attachment,
    Investigation,
)
from safetynet.cases.services.base import MAX_UPLOAD_BYTES, UPLOAD_TYPES, _lock, _require_state
from safetynet.cases.services.checks import _prefixed, _require, _text
from safetynet.cases.workflow import State
from safetynet.core import clock
from safetynet.core.errors import (
    Conflict,
    SafetynetError,
    ValidationFailed,
)
from safetynet.core.glossary import HARDSHIP_CAUSES, RISK_EVENTS
from safetynet.registry import inputs as registry_inputs
from safetynet.registry import selectors as registry_selectors
from safetynet.registry import services as registry

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
    if visited_on > clock.today():
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
                    person=registry_inputs.PersonInput(**values),
                    membership_data=registry_inputs.MembershipInput(
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
