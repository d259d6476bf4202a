"""Keys for personal data at rest.

Field encryption uses Fernet (AES-128-CBC + HMAC-SHA256) through `MultiFernet`: the first key
encrypts, every key decrypts, so rotation is "prepend a key, re-encrypt, drop the old one".
Exact lookup by ID number uses a blind index: HMAC-SHA256 under a separate index key, so the
index reveals nothing without it and the encryption keys can rotate without rebuilding it.

Keys come from the environment (SAFETYNET_FIELD_KEYS, comma-separated, newest first;
SAFETYNET_INDEX_KEY; SAFETYNET_SECRET_KEY) or else from `keys.json` in the data directory,
created with fresh random keys on first use and readable by its owner only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE = "keys.json"


@dataclass
class Keyring:
    field_keys: list[str]
    index_key: str
    secret_key: str
    path: Path | None = None
    _fernet: MultiFernet | None = field(default=None, repr=False)
    _index_key_bytes: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in self.field_keys])
        return self._fernet

    def encrypt(self, plaintext: str) -> str:
        return self.fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("encrypted field cannot be decrypted with the configured keys") from None

    def encrypt_bytes(self, data: bytes) -> bytes:
        return self.fernet.encrypt(data)

    def decrypt_bytes(self, token: bytes) -> bytes:
        try:
            return self.fernet.decrypt(token)
        except InvalidToken:
            raise ValueError("encrypted file cannot be decrypted with the configured keys") from None

    def rotate(self, token: str) -> str:
        return self.fernet.rotate(token.encode()).decode()

    def blind_index(self, value: str) -> str:
        if self._index_key_bytes is None:
            self._index_key_bytes = base64.urlsafe_b64decode(self.index_key)
        return hmac.digest(self._index_key_bytes, value.encode(), hashlib.sha256).hex()

    def with_new_field_key(self) -> Keyring:
        return Keyring(
            [Fernet.generate_key().decode(), *self.field_keys], self.index_key, self.secret_key, self.path
        )

    def save(self) -> None:
        if self.path is None:
            raise RuntimeError("keys came from the environment; rotate them there")
        data = {"field_keys": self.field_keys, "index_key": self.index_key, "secret_key": self.secret_key}
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, self.path)


def _new_keyring(path: Path) -> Keyring:
    return Keyring(
        field_keys=[Fernet.generate_key().decode()],
        index_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        secret_key=secrets.token_urlsafe(50),
        path=path,
    )


def load_keyring(data_dir: Path) -> Keyring:
    env_keys = os.environ.get("SAFETYNET_FIELD_KEYS")
    env_index = os.environ.get("SAFETYNET_INDEX_KEY")
    if env_keys and env_index:
        return Keyring(
            field_keys=[k.strip() for k in env_keys.split(",") if k.strip()],
            index_key=env_index,
            secret_key=os.environ.get("SAFETYNET_SECRET_KEY", ""),
        )
    path = Path(data_dir) / KEY_FILE
    if path.exists():
        data = json.loads(path.read_text())
        return Keyring(data["field_keys"], data["index_key"], data["secret_key"], path)
    ring = _new_keyring(path)
    ring.save()
    return ring
