"""Recording a visit (巡访探视): checked whole before anything is written, one transaction for the
visit, its photos and — when the officer found a risk — the grassroots lead it raises with the
visit as evidence; audited. A photo whose row rolls back leaves no file behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.core.files.base import ContentFile
from django.db import transaction

from safetynet.accounts.roles import Perm
from safetynet.audit.services import Actor, record_audit
from safetynet.cases.models import Channel
from safetynet.cases.services.intake import raise_lead
from safetynet.core import clock
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.registry import selectors as registry
from safetynet.visits.models import CHECKLIST, Finding, Visit, VisitPhoto

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG": ("image/png", "png")}


def _checklist(values) -> dict[str, str]:
    values = dict(values or {})
    unknown = sorted(set(values) - set(CHECKLIST))
    if unknown:
        raise ValidationFailed(f"未知的核查项：{'、'.join(unknown)}。", field="checklist")
    out = {}
    for item, label in CHECKLIST.items():
        value = str(values.get(item) or "").strip()
        if value not in Finding.values:
            raise ValidationFailed(f"请填写“{label}”的核查结果。", field=f"checklist.{item}")
        out[item] = value
    return out


def _photos(photos) -> list[tuple[bytes, str, str, str]]:
    photos = [p for p in photos or () if p is not None]
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"每次探访最多上传{MAX_PHOTOS}张照片。", field="photos")
    out = []
    for upload in photos:
        data = upload.read()
        if not data:
            raise ValidationFailed("照片文件为空。", field="photos")
        if len(data) > MAX_PHOTO_BYTES:
            raise ValidationFailed("每张照片不能超过10MB。", field="photos")
        kind = next((k for magic, k in PHOTO_TYPES.items() if data.startswith(magic)), None)
        if kind is None:
            raise ValidationFailed("照片只能是JPG或PNG格式。", field="photos")
        out.append((data, kind[0], kind[1], (getattr(upload, "name", "") or "")[-200:]))
    return out


def record_visit(
    *,
    user,
    household,
    visited_on: dt.date,
    seen=(),
    checklist=None,
    notes: str = "",
    risk_found: bool = False,
    photos=(),
    client: str = "",
) -> Visit:
    """A visit to a household in the user's reach. `seen`: person ids of current members met;
    `checklist`: every 两不愁三保障 item → ok / risk / na; `risk_found` raises a 基层排查 lead
    (its summary is `notes`, required then) with the visit as evidence."""
    if not user.can(Perm.RECORD_VISIT):
        raise PermissionDenied("您的角色无权记录巡访探视。")
    household = registry.get_household(user, getattr(household, "pk", household))
    if not isinstance(visited_on, dt.date):
        raise ValidationFailed("请填写探访日期。", field="visited_on")
    if visited_on > clock.today():
        raise ValidationFailed("探访日期不能晚于今天。", field="visited_on")
    members = {m.person_id for m in registry.current_members(household)}
    try:
        seen_ids = sorted({int(s) for s in seen or ()})
    except (TypeError, ValueError):
        raise ValidationFailed("见到的家庭成员无效。", field="seen") from None
    if not seen_ids:
        raise ValidationFailed("请勾选见到的家庭成员。", field="seen")
    if not set(seen_ids) <= members:
        raise ValidationFailed("见到的人员须是本户现有成员。", field="seen")
    items = _checklist(checklist)
    notes = (notes or "").strip()
    if len(notes) > 2000:
        raise ValidationFailed("探访情况不能超过2000字。", field="notes")
    risky = [CHECKLIST[k] for k, v in items.items() if v == Finding.RISK]
    if risk_found and not notes:
        raise ValidationFailed("发现风险时请写明风险情况。", field="notes")
    files = _photos(photos)
    actor = Actor.of(user, client)
    saved: list[str] = []
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                household=household,
                visited_on=visited_on,
                officer=user,
                seen=seen_ids,
                checklist=items,
                notes=notes,
                risk_found=bool(risk_found),
            )
            for data, content_type, ext, name in files:
                photo = VisitPhoto(
                    visit=visit,
                    original_name=name,
                    content_type=content_type,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
                photo.file.save(
                    f"visit-{visit.pk}-{uuid.uuid4().hex[:8]}.{ext}", ContentFile(data), save=False
                )
                saved.append(photo.file.name)
                photo.save()
            if risk_found:
                lead, _ = raise_lead(
                    actor=actor,
                    channel=Channel.GRASSROOTS,
                    village=household.village,
                    household=household,
                    summary=f"巡访探视发现风险：{notes}",
                    evidence={"visit": visit.pk, "visited_on": visited_on.isoformat(), "items": risky},
                    dedup_key=f"visit:{visit.pk}",
                )
                visit.lead = lead
                visit.save(update_fields=["lead"])
            record_audit(
                actor=actor,
                action="visit.record",
                object_type="household",
                object_id=household.pk,
                changes={
                    "visit": [None, visit.pk],
                    "visited_on": [None, visited_on.isoformat()],
                    "risk_found": [None, bool(risk_found)],
                    "risk_items": [None, risky],
                    "photos": [None, len(files)],
                    "lead": [None, visit.lead_id],
                },
            )
    except BaseException:
        for name in saved:
            VisitPhoto.file.field.storage.delete(name)
        raise
    return visit
