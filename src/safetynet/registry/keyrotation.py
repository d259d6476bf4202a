"""Re-encrypting every encrypted field under a new newest key (and, optionally, a new index key).

Every model field of type `EncryptedTextField`, in any app, is re-encrypted; the blind indexes
listed in `BLIND_INDEXES` are recomputed from their plaintext when the index key changes.
"""

from __future__ import annotations

import base64
import secrets

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import FileField

from safetynet.audit.services import SYSTEM, record_audit
from safetynet.core.errors import Conflict
from safetynet.core.keys import Keyring
from safetynet.registry.fields import EncryptedFileSystemStorage, EncryptedTextField

# (app label, model, index field, plaintext field): exact-lookup indexes kept beside encrypted values.
BLIND_INDEXES = [
    ("registry", "Person", "id_index", "id_number"),
    ("cases", "Lead", "subject_id_index", "subject_id_number"),
]


def encrypted_fields() -> dict:
    """{model: [field names]} for every model holding an encrypted field."""
    found = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found[model] = names
    return found


def _rotate_files() -> int:
    """Re-encrypt every file kept in an EncryptedFileSystemStorage."""
    done = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField) and isinstance(field.storage, EncryptedFileSystemStorage):
                for name in model.objects.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                    if field.storage.exists(name):
                        field.storage.rotate(name)
                        done += 1
    return done


def _exchange_data_exists() -> bool:
    try:
        upload = apps.get_model("verification", "Upload")
    except LookupError:
        return False
    return upload.objects.exclude(status="rejected").exists()


def rotate_keys(
    *, new_index_key: bool = False, drop_old: bool = True, force: bool = False, batch: int = 2000
) -> dict:
    """Add a new field key, re-encrypt every row with it, then (by default) drop the old keys.

    The key file is written before the data: if the run stops half-way, both keys are still in the
    file and every row stays readable; the old key file is restored when the transaction fails.
    """
    if new_index_key and not force and _exchange_data_exists():
        raise Conflict(
            "部门交换数据按现有检索索引存储；轮换索引密钥后须重新上传这些数据。确认请加 --force。",
            code="exchange_data_indexed",
            field="index_key",
        )
    old: Keyring = settings.KEYRING
    ring = old.with_new_field_key()
    if new_index_key:
        ring.index_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    ring.save()
    settings.KEYRING = ring  # reads decrypt with any key; writes now encrypt with the new one
    indexes = {
        apps.get_model(a, m): (i, p) for a, m, i, p in BLIND_INDEXES if apps.is_installed(f"safetynet.{a}")
    }
    counts = {}
    try:
        with transaction.atomic():
            for model, names in encrypted_fields().items():
                index = indexes.get(model) if new_index_key else None
                fields = [*names, index[0]] if index else names
                rows = model.objects.order_by("pk")
                total = rows.count()
                for start in range(0, total, batch):
                    chunk = list(rows[start : start + batch])
                    if index:
                        for obj in chunk:
                            plain = getattr(obj, index[1])
                            setattr(obj, index[0], ring.blind_index(plain) if plain else "")
                    model.objects.bulk_update(chunk, fields, batch_size=batch)
                counts[model._meta.label] = total
            record_audit(
                actor=SYSTEM, action="keys.rotate", changes={"rows": counts, "index_key": new_index_key}
            )
    except BaseException:
        old.save()
        settings.KEYRING = old
        raise
    # Files after the rows: until the old keys are dropped below, a failure here leaves every file
    # readable, and running the rotation again finishes the job.
    counts["files"] = _rotate_files()
    if drop_old:
        ring = Keyring(ring.field_keys[:1], ring.index_key, ring.secret_key, ring.path)
        ring.save()
        settings.KEYRING = ring
    return {
        "rows": counts,
        "persons": counts.get("registry.Person", 0),
        "field_keys": len(ring.field_keys),
        "index_key_rotated": new_index_key,
    }
