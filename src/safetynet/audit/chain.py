"""The hash of an audit record: SHA-256 over its canonical JSON and the previous hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

GENESIS = "0" * 64


def canonical_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(fields: dict, prev_hash: str) -> str:
    body = dict(fields)
    body["at"] = canonical_time(body["at"])
    body["prev_hash"] = prev_hash
    data = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "role",
    "area",
    "client",
    "action",
    "object_type",
    "object_id",
    "changes",
    "reason",
)
