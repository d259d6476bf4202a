"""Re-encrypting every encrypted field under a new newest key (and, optionally, a new index key)."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import transaction

from safetynet.audit.services import SYSTEM, record_audit
from safetynet.core.keys import Keyring
from safetynet.registry.models import Person

ENCRYPTED_FIELDS = ("id_number", "phone", "bank_account")


def rotate_keys(*, new_index_key: bool = False, drop_old: bool = True, batch: int = 2000) -> dict:
    """Add a new field key, re-encrypt every row with it, then (by default) drop the old keys.

    The key file is written before the data: if the run stops half-way, both keys are still in the
    file and every row stays readable; re-running finishes the job.
    """
    old: Keyring = settings.KEYRING
    ring = old.with_new_field_key()
    if new_index_key:
        ring.index_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    ring.save()
    settings.KEYRING = ring  # reads decrypt with any key; writes now encrypt with the new one
    count = 0
    try:
        with transaction.atomic():
            rows = Person.objects.order_by("pk")
            for start in range(0, rows.count(), batch):
                people = list(rows[start : start + batch])
                for p in people:
                    p.id_index = ring.blind_index(p.id_number)
                Person.objects.bulk_update(people, [*ENCRYPTED_FIELDS, "id_index"], batch_size=batch)
                count += len(people)
            record_audit(
                actor=SYSTEM, action="keys.rotate", changes={"persons": count, "index_key": new_index_key}
            )
    except BaseException:
        old.save()  # nothing was re-encrypted: the old keys still read (and index) every row
        settings.KEYRING = old
        raise
    if drop_old:
        ring = Keyring(ring.field_keys[:1], ring.index_key, ring.secret_key, ring.path)
        ring.save()
        settings.KEYRING = ring
    return {"persons": count, "field_keys": len(ring.field_keys), "index_key_rotated": new_index_key}
