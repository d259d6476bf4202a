"""Appending to the audit trail and checking it.

`record_audit` is called by every service inside the service's own transaction, so a write and
its audit record commit or roll back together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safetynet.audit.chain import GENESIS, HASHED_FIELDS, record_hash
from safetynet.audit.models import AuditRecord, ChainHead
from safetynet.core.bulk_insert import insert_rows


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or the system itself (demo loader, batch jobs)."""

    id: int | None
    username: str
    role: str = ""
    area: str = ""
    client: str = ""

    @classmethod
    def of(cls, user, client: str = "") -> Actor:
        area = user.area.code if getattr(user, "area_id", None) else ""
        return cls(id=user.pk, username=user.username, role=user.role or "", area=area, client=client)


SYSTEM = Actor(id=None, username="system", role="system")


def record_audit(
    *,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditRecord:
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        fields = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_id": actor.id,
            "actor": actor.username,
            "role": actor.role,
            "area": actor.area,
            "client": actor.client,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "changes": changes or {},
            "reason": reason,
        }
        digest = record_hash(fields, head.hash)
        rec = AuditRecord.objects.create(prev_hash=head.hash, hash=digest, **fields)
        head.seq, head.hash = rec.seq, digest
        head.save(update_fields=["seq", "hash"])
        return rec


@dataclass(frozen=True)
class Entry:
    """One record of a batch (`record_audits`)."""

    action: str
    object_type: str = ""
    object_id: str | int = ""
    changes: dict | None = None
    reason: str = ""


def record_audits(*, actor: Actor, entries: list[Entry], batch_size: int = 5000) -> int:
    """Append many records at once, in order, for one actor (a batch job writing thousands of
    rows: a review campaign's cases). The same chain as `record_audit`: each record's hash covers
    its fields and the previous hash, the head is locked while appending and moved once at the
    end; the records are inserted with one `executemany` (`core.bulk_insert`) instead of one
    INSERT and head update each.
    Inside the caller's transaction: the batch and its records commit or roll back together."""
    if not entries:
        return 0
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now()
        seq, prev, rows = head.seq, head.hash, []
        for e in entries:
            seq += 1
            fields = {
                "seq": seq,
                "at": at,
                "actor_id": actor.id,
                "actor": actor.username,
                "role": actor.role,
                "area": actor.area,
                "client": actor.client,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": str(e.object_id),
                "changes": e.changes or {},
                "reason": e.reason,
            }
            digest = record_hash(fields, prev)
            rows.append((*fields.values(), prev, digest))
            prev = digest
        insert_rows(AuditRecord, [*HASHED_FIELDS, "prev_hash", "hash"], rows, batch_size=batch_size)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(*, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; name the first record whose hash, link or position is wrong."""
    prev, expected_seq, checked = GENESIS, 1, 0
    while True:
        rows = list(AuditRecord.objects.filter(seq__gte=expected_seq).order_by("seq")[:batch])
        if not rows:
            break
        for rec in rows:
            if rec.seq != expected_seq:
                return ChainReport(
                    False, checked, expected_seq, f"记录 {expected_seq} 缺失（下一条为 {rec.seq}）"
                )
            if rec.prev_hash != prev:
                return ChainReport(
                    False, checked, rec.seq, f"记录 {rec.seq} 与前一条记录的链接不符（被删除、改动或调换）"
                )
            fields = {name: getattr(rec, name) for name in HASHED_FIELDS}
            if record_hash(fields, prev) != rec.hash:
                return ChainReport(False, checked, rec.seq, f"记录 {rec.seq} 的内容与其哈希不符（被改动）")
            prev, expected_seq, checked = rec.hash, rec.seq + 1, checked + 1
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return ChainReport(
            False,
            checked,
            checked + 1 if head_seq > checked else head_seq,
            f"链尾不符：应有 {head_seq} 条记录，实有 {checked} 条（末尾记录被删除或改动）",
        )
    return ChainReport(True, checked)
