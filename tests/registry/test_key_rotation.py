import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from safetynet.registry import selectors
from safetynet.registry.models import Person
from tests.conftest import member, new_id


@pytest.fixture
def restore_keys():
    ring = settings.KEYRING
    saved = ring.path.read_text()
    yield
    ring.path.write_text(saved)
    settings.KEYRING = ring


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
