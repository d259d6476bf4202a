"""An encrypted text column: plaintext in Python, a Fernet token in the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with the field keys (MultiFernet)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return settings.KEYRING.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return settings.KEYRING.encrypt(value)


def blind_index(value: str) -> str:
    """Keyed hash for exact lookup of an encrypted value."""
    return settings.KEYRING.blind_index(value)
