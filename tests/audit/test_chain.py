import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from safetynet.audit.models import AuditRecord
from safetynet.audit.services import SYSTEM, record_audit, verify_chain


def _records(n=5):
    return [
        record_audit(
            actor=SYSTEM, action="test.write", object_type="thing", object_id=i, changes={"v": [i, i + 1]}
        )
        for i in range(n)
    ]


def _raw(sql, params=()):
    """Tamper as someone with database access would: past the append-only triggers."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
            cur.execute(sql, params)
            cur.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER USER")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
            cur.execute("DROP TRIGGER IF EXISTS audit_record_no_delete")
            cur.execute(sql, params)


def _verify_exit_code(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    return capsys.readouterr().err


@pytest.mark.django_db
def test_intact_chain_verifies(capsys):
    _records()
    assert verify_chain().ok
    call_command("audit", "verify")
    assert "已校验 5 条" in capsys.readouterr().out


@pytest.mark.django_db
def test_edited_record_is_named(capsys):
    recs = _records()
    _raw("UPDATE audit_auditrecord SET reason = %s WHERE seq = %s", ["改过", recs[2].seq])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == recs[2].seq
    assert f"#{recs[2].seq}" in _verify_exit_code(capsys)


@pytest.mark.django_db
def test_deleted_record_is_named():
    recs = _records()
    _raw("DELETE FROM audit_auditrecord WHERE seq = %s", [recs[1].seq])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == recs[1].seq


@pytest.mark.django_db
def test_deleted_last_record_is_found_through_the_chain_head():
    recs = _records()
    _raw("DELETE FROM audit_auditrecord WHERE seq = %s", [recs[-1].seq])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == recs[-1].seq


@pytest.mark.django_db
def test_reordered_records_are_found():
    recs = _records()
    a, b = recs[1], recs[3]
    _raw("UPDATE audit_auditrecord SET seq = 999999 WHERE seq = %s", [a.seq])
    _raw("UPDATE audit_auditrecord SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    _raw("UPDATE audit_auditrecord SET seq = %s WHERE seq = 999999", [b.seq])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == a.seq


@pytest.mark.django_db
def test_database_refuses_update_and_delete_of_audit_records():
    rec = _records(1)[0]
    for sql in (
        "UPDATE audit_auditrecord SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [rec.pk])
    assert AuditRecord.objects.get(pk=rec.pk).reason == ""


@pytest.mark.django_db
def test_model_refuses_save_of_existing_record_and_delete():
    rec = _records(1)[0]
    with pytest.raises(RuntimeError):
        rec.save()
    with pytest.raises(RuntimeError):
        rec.delete()
