"""Writes on leads and cases. Every service audits inside its own transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from safetynet.audit.services import SYSTEM, Actor, record_audit
from safetynet.cases.models import Channel, Lead
from safetynet.core.errors import ValidationFailed
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Area, Household, Person


def _next_reference(prefix: str, model, today: dt.date) -> str:
    """XN-L-2026-000001: county short name, kind, year, running number within the year."""
    stem = f"{prefix}-{today.year}-"
    last = (
        model.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
    )
    n = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{n:06d}"


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
    """File a lead; with a `dedup_key` already used, return the existing lead and False."""
    if channel not in Channel.values:
        raise ValidationFailed(f"线索来源“{channel}”无效。", field="channel")
    if not (summary or "").strip():
        raise ValidationFailed("请填写情况说明。", field="summary")
    if dedup_key:
        existing = Lead.objects.filter(dedup_key=dedup_key).first()
        if existing:
            return existing, False
    today = timezone.localdate()
    for _ in range(5):
        try:
            with transaction.atomic():
                lead = Lead.objects.create(
                    reference=_next_reference("XN-L", Lead, today),
                    channel=channel,
                    village=village,
                    household=household,
                    person=person,
                    subject_name=subject_name.strip(),
                    subject_id_number=subject_id_number,
                    contact_phone=contact_phone,
                    subject_id_index=blind_index(subject_id_number) if subject_id_number else "",
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
                return lead, True
        except IntegrityError:
            if dedup_key and Lead.objects.filter(dedup_key=dedup_key).exists():
                return Lead.objects.get(dedup_key=dedup_key), False
            continue  # a concurrent lead took the reference number: take the next one
    raise RuntimeError("could not allocate a lead reference")
