"""The audit trail: append-only, hash-chained records.

Each record's hash covers its own fields and the previous record's hash, so editing, deleting or
reordering any record breaks the chain from that point on. `ChainHead` holds the last sequence
number and hash; appending locks it, so concurrent writers queue instead of forking the chain.
Database triggers (see the migration) refuse UPDATE and DELETE on the records themselves.
"""

from __future__ import annotations

from django.db import models


class AuditRecord(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(max_length=150)
    role = models.CharField(max_length=32, blank=True)
    area = models.CharField(max_length=12, blank=True)
    client = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit records are append-only")


class ChainHead(models.Model):
    """A single row: the tip of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
