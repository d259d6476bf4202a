"""Nothing of a department file stays readable: private modes, removal after a failure, and the
start-up sweep of what a killed upload or comparison left behind."""

from __future__ import annotations

import os
import stat
import time

import pytest

from safetynet.verification import storage
from tests.conftest import new_id
from tests.verification.conftest import FIN_HEADER, csv_bytes, fin_rows, upload

pytestmark = pytest.mark.django_db


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _everything(root):
    return [p for p in root.rglob("*")]


def test_loaded_files_and_directories_are_private(admin, settings):
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(["123", new_id()])), valid_only=True)
    assert out.upload.status == "partial" and out.upload.errors_path
    assert _mode(storage.absolute(out.upload.data_path)) == 0o600
    assert _mode(storage.absolute(out.upload.errors_path)) == 0o600
    exchange = storage.root()
    for path in [exchange, *_everything(exchange)]:
        expected = 0o700 if path.is_dir() else 0o600
        assert _mode(path) == expected, path
    assert not list(storage.sub("tmp").iterdir())  # the workspace is gone


def test_the_raw_file_is_created_private(admin, monkeypatch):
    seen = {}
    real = storage.private_file

    def spy(path):
        out = real(path)
        seen[path.name] = _mode(path)
        return out

    monkeypatch.setattr(storage, "private_file", spy)
    upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows([new_id()])))
    assert seen["upload.raw"] == 0o600 and seen["staged.parquet"] == 0o600
    assert _mode(storage.sub("tmp")) == 0o700


def test_a_failing_parse_leaves_nothing_behind(admin, monkeypatch):
    from safetynet.verification import services

    def boom(*args, **kwargs):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(services, "ingest", boom)
    with pytest.raises(RuntimeError):
        upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows([new_id()])))
    assert list(storage.sub("tmp").iterdir()) == []
    assert not list(storage.root().rglob("*.raw"))


def test_a_rejected_file_leaves_nothing_behind(admin):
    out = upload(admin, "financial", b"\xff\xfe\x00garbage")
    assert out.upload.status == "rejected"
    assert list(storage.sub("tmp").iterdir()) == []


def test_the_framework_temporary_copy_is_deleted_after_the_upload(admin, settings):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from safetynet.verification.services import upload_department_file

    data = csv_bytes(FIN_HEADER, fin_rows([new_id()]))
    file = TemporaryUploadedFile("f.csv", "text/csv", len(data), "utf-8")
    file.write(data)
    file.seek(0)
    path = file.temporary_file_path()
    assert os.path.dirname(path) == str(settings.FILE_UPLOAD_TEMP_DIR)
    assert _mode(path) == 0o600
    out = upload_department_file(user=admin, source="financial", file=file, filename="f.csv")
    assert out.upload.status == "accepted" and not os.path.exists(path)


def test_start_up_removes_leftovers_of_killed_work_only(settings, tmp_path):
    tmp = storage.sub("tmp")
    old = time.time() - 3 * 3600
    # a killed upload of the old code: a plaintext raw file, readable by others
    legacy = tmp / "0123abcd.raw"
    legacy.write_text("141029197005170017,张三\n")
    os.utime(legacy, (old, old))
    # a workspace whose process died: its lock file is there but nobody holds it
    dead = storage.private_dir(tmp / "upload-dead")
    (dead / storage.LOCK).touch()
    (dead / "upload.raw").write_text("141029197005170017,张三\n")
    # the framework's spool of a killed request, and one being written right now
    spool = settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    spool.mkdir()
    stale, fresh = spool / "tmpabc.upload.csv", spool / "tmpdef.upload.csv"
    stale.write_text("x")
    fresh.write_text("x")
    os.utime(stale, (old, old))
    with storage.workspace("upload") as live:  # a live process's workspace is left alone
        (live / "upload.raw").write_text("in use")
        removed = storage.sweep_leftovers()
        assert live.exists() and (live / "upload.raw").exists()
    assert set(removed) == {legacy, dead, stale}
    assert not legacy.exists() and not dead.exists() and not stale.exists() and fresh.exists()


def test_the_sweep_runs_at_start_up():
    from django.apps import apps

    called = []
    real = storage.sweep_leftovers
    storage.sweep_leftovers = lambda: called.append(True)
    try:
        apps.get_app_config("verification").ready()
    finally:
        storage.sweep_leftovers = real
    assert called == [True]


def test_the_sweep_never_raises_and_is_a_no_op_without_a_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "absent"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "absent-too"
    assert storage.sweep_leftovers() == []
    assert not (tmp_path / "absent").exists()
