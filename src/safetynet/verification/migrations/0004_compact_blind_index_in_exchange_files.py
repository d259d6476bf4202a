"""Stored department files keyed by the 16-byte binary key instead of the 64-hex blind index.

Each loaded upload's Parquet file is rewritten in place (`verification.keys.rekey_file`: one row
group at a time, through a temporary file renamed over it; files already rekeyed are left alone,
so the migration can run again after an interruption). The empty per-source files the comparison
keeps under `exchange/snapshots/` are removed; the next run writes them anew. Going back rewrites
each file's `id_index` as 64-hex text from the resident ID in its sealed `subject`.
"""

import base64
from pathlib import Path

from django.conf import settings
from django.db import migrations


def _stored(apps):
    Upload = apps.get_model("verification", "Upload")
    root = Path(settings.DATA_DIR)
    for upload in Upload.objects.exclude(data_path="").order_by("pk").iterator():
        path = root / upload.data_path
        if path.exists():
            yield upload, path


def _drop_empty_snapshots():
    for empty in (Path(settings.DATA_DIR) / "exchange" / "snapshots").glob("empty-*.parquet"):
        empty.unlink(missing_ok=True)


def rekey_stored_uploads(apps, schema_editor):
    from safetynet.verification.keys import rekey_file

    for _, path in _stored(apps):
        rekey_file(path)
    _drop_empty_snapshots()


def unkey_stored_uploads(apps, schema_editor):
    from safetynet.verification.ingest import Sealer
    from safetynet.verification.keys import unkey_file

    def index_of(sealer):
        return lambda token: settings.KEYRING.blind_index(sealer.open(token).partition("\t")[0])

    for upload, path in _stored(apps):
        unkey_file(path, index_of(Sealer(base64.b64decode(upload.data_key))))
    _drop_empty_snapshots()


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0003_run_parameters"),
    ]

    operations = [migrations.RunPython(rekey_stored_uploads, unkey_stored_uploads)]
