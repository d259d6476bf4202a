"""Signed consent letters and review records are encrypted on disk and re-encrypted on key rotation."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from safetynet.cases.models import Attachment
from tests.cases.conftest import PDF, upload
from tests.conftest import PASSWORD


def _consented(proc):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    proc.investigate()
    proc.consent()
    return Attachment.objects.get(case_id=proc.case_id, kind="consent")


def test_consent_letter_is_encrypted_on_disk_and_served_decrypted(proc, users):
    row = _consented(proc)
    raw = Path(row.file.path).read_bytes()
    assert raw != PDF and not raw.startswith(b"%PDF")
    c = Client()
    c.login(username=users["township_clerk"].username, password=PASSWORD)
    r = c.get(f"/cases/{proc.case_id}/attachments/{row.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF


def test_key_rotation_re_encrypts_attachment_files(proc, restore_keys):
    row = _consented(proc)
    before = Path(row.file.path).read_bytes()
    call_command("keys", "rotate")
    after = Path(row.file.path).read_bytes()
    assert after != before
    with Attachment.objects.get(pk=row.pk).file.open("rb") as f:
        assert f.read() == PDF


def test_a_refused_upload_stores_no_file(proc, users):
    _consented(proc)
    stale = upload(users["village_officer"], proc.case_id, "consent", version=1)
    assert stale.status_code == 409
    names = set(Attachment.objects.values_list("file", flat=True))
    on_disk = {
        str(p.relative_to(settings.MEDIA_ROOT)) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
    }
    assert on_disk == names


def test_a_file_is_removed_when_its_transaction_rolls_back(proc, users, monkeypatch):
    """Fault injection: the audit write fails after the file was stored, so the row rolls back."""
    from safetynet.cases import services
    from safetynet.cases.services import investigation

    _consented(proc)
    before = set(Attachment.objects.values_list("file", flat=True))

    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(investigation, "record_audit", broken_audit)
    with pytest.raises(RuntimeError):
        services.upload_attachment(
            user=users["village_officer"],
            case=proc.case_id,
            kind="consent",
            upload=SimpleUploadedFile("again.pdf", PDF),
        )
    assert set(Attachment.objects.values_list("file", flat=True)) == before
    on_disk = {
        str(p.relative_to(settings.MEDIA_ROOT)) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
    }
    assert on_disk == before
