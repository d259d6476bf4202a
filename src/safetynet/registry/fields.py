"""An encrypted text column: plaintext in Python, a Fernet token in the database."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with the field keys (MultiFernet)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return settings.KEYRING.decrypt(value)

    def get_prep_value(self, value):
        return _stored(super().get_prep_value(value))

    def bulk_prep_value(self):
        """`get_prep_value` as one function, for writing many rows (`core.bulk_insert`)."""
        return lambda v: _stored(v if v is None or isinstance(v, str) else str(v))


def _stored(value):
    """A value as the column stores it: empty stays empty, text becomes a Fernet token."""
    if value is None or value == "":
        return value
    return settings.KEYRING.encrypt(value)


def blind_index(value: str) -> str:
    """Keyed hash for exact lookup of an encrypted value."""
    return settings.KEYRING.blind_index(value)


class EncryptedFileSystemStorage(FileSystemStorage):
    """Uploaded documents (signed consent letters, review records) encrypted at rest with the field keys.

    Files on disk are Fernet tokens; reading through the storage gives the plaintext back. A copy of
    the data directory without the keys reveals nothing.
    """

    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(settings.KEYRING.encrypt_bytes(content.read())))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as f:
            return ContentFile(settings.KEYRING.decrypt_bytes(f.read()), name=name)

    def size(self, name):
        with self._open(name) as f:
            return f.size

    def rotate(self, name) -> None:
        """Re-encrypt one file under the newest key (in place, atomically)."""
        path = self.path(name)
        with open(path, "rb") as f:
            token = f.read()
        tmp = f"{path}.rotating"
        with open(tmp, "wb") as f:
            f.write(settings.KEYRING.fernet.rotate(token))
        os.replace(tmp, path)


def encrypted_storage() -> EncryptedFileSystemStorage:
    return EncryptedFileSystemStorage()
