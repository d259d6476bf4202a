"""The conversions `core.bulk_insert` applies per column: an encrypted column through the field's
own Fernet, a plain subclass of a Django field as it is, anything else through the field."""

from django.conf import settings
from django.db import models

from safetynet.cases.models import Case
from safetynet.core.bulk_insert import _converter, _plain
from safetynet.registry.models import Person


def test_encrypted_column_is_a_token_that_decrypts_to_the_value():
    convert = _converter(Person._meta.get_field("phone"))
    token = convert("13800001234")
    assert token != "13800001234"
    assert settings.KEYRING.decrypt(token) == "13800001234"
    assert convert("") == "" and convert(None) is None


def test_a_plain_subclass_passes_as_it_is_and_a_preparing_one_does_not():
    assert _converter(Case._meta.get_field("state")) is None

    class Upper(models.CharField):
        def get_prep_value(self, value):
            return value.upper()

    class Sub(Upper):
        pass

    assert not _plain(Upper) and not _plain(Sub)
    assert _converter(Sub(max_length=5)) is not None
