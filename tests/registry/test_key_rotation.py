import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from safetynet.registry import selectors
from safetynet.registry.models import Person
from tests.conftest import member, new_id


def _raw_tokens():
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM registry_person ORDER BY id")
        return cur.fetchall()


def test_rotation_re_encrypts_every_row_and_drops_the_old_key(make_household, clerk, restore_keys, capsys):
    number = new_id()
    make_household(members=[member(id_number=number, phone="13912345678")])
    old_ring, before = settings.KEYRING, _raw_tokens()
    call_command("keys", "rotate")
    assert "重新加密 1 人" in capsys.readouterr().out
    after = _raw_tokens()
    assert after != before and all(a[0] != b[0] for a, b in zip(after, before, strict=True))
    assert len(settings.KEYRING.field_keys) == 1 and settings.KEYRING.field_keys != old_ring.field_keys
    with pytest.raises(ValueError):
        old_ring.decrypt(after[0][0])  # the old keys cannot read the rotated rows
    assert Person.objects.get(id_index=settings.KEYRING.blind_index(number)).phone == "13912345678"


def test_rotating_the_index_key_keeps_exact_id_search_working(make_household, clerk, restore_keys):
    number = new_id()
    h = make_household(members=[member(id_number=number)])
    old_index = Person.objects.get().id_index
    call_command("keys", "rotate", "--index-key")
    assert Person.objects.get().id_index != old_index
    assert list(selectors.search_households(clerk, q=number)) == [h]


def test_rotation_covers_every_encrypted_field_in_every_app(make_household, restore_keys):
    from safetynet.cases.models import Lead
    from safetynet.cases.services import raise_lead
    from safetynet.registry.keyrotation import encrypted_fields
    from safetynet.registry.models import Area

    labels = {m._meta.label for m in encrypted_fields()}
    assert {"registry.Person", "cases.Lead", "verification.Upload"} <= labels
    number = new_id()
    lead, _ = raise_lead(
        channel="self_declared",
        village=Area.objects.get(code="141029100201"),
        summary="求助",
        subject_name="王某",
        subject_id_number=number,
        contact_phone="13900001111",
    )
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone FROM cases_lead")
        (before,) = cur.fetchone()
    call_command("keys", "rotate", "--index-key")
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone FROM cases_lead")
        (after,) = cur.fetchone()
    assert before != after
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.contact_phone == "13900001111"
    assert lead.subject_id_index == settings.KEYRING.blind_index(number)


def test_index_key_rotation_is_refused_while_department_data_is_indexed_by_it(users, restore_keys):
    from django.core.management.base import CommandError

    from safetynet.verification.models import Upload

    Upload.objects.create(
        source="medical",
        sha256="0" * 64,
        filename="a.csv",
        size=1,
        format="csv",
        status="accepted",
        uploaded_by=users["admin"],
    )
    old_index = settings.KEYRING.index_key
    with pytest.raises(CommandError, match="重新上传"):
        call_command("keys", "rotate", "--index-key")
    assert settings.KEYRING.index_key == old_index
    call_command("keys", "rotate", "--index-key", "--force")
    assert settings.KEYRING.index_key != old_index
