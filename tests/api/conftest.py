"""API test helpers: a JSON client that carries a bearer token for a named fixture user."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from safetynet.accounts.services import issue_token


class ApiClient:
    """Thin wrapper over Django's test client: JSON in, the response out; `.json()` on the response."""

    prefix = "/api/v1"

    def __init__(self, user=None, token: str | None = None, remote_addr: str = "127.0.0.1"):
        self.client = Client()
        self.headers = {"REMOTE_ADDR": remote_addr}
        if user is not None:
            token = issue_token(user=user)
        if token is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path: str, params: dict | None = None):
        return self.client.get(self.prefix + path, params or {}, **self.headers)

    def _send(self, method: str, path: str, body, raw: str | bytes | None = None):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False, default=str)
        return getattr(self.client, method)(
            self.prefix + path, data, content_type="application/json", **self.headers
        )

    def post(self, path: str, body=None, *, raw: str | bytes | None = None):
        return self._send("post", path, body, raw)

    def patch(self, path: str, body=None, *, raw: str | bytes | None = None):
        return self._send("patch", path, body, raw)

    def delete(self, path: str):
        return self.client.delete(self.prefix + path, **self.headers)


@pytest.fixture
def api_as():
    """`api_as(user)`: a client signed in as that user (token issued through the real service)."""
    return ApiClient


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


def member_body(relation: str = "head", *, id_number: str, name: str = "张小明", **extra) -> dict:
    return {"id_number": id_number, "name": name, "relation": relation, **extra}


def household_body(village: str, members: list[dict], **extra) -> dict:
    return {
        "village": village,
        "address": extra.pop("address", "东关街8号"),
        "hukou": extra.pop("hukou", "rural"),
        "members": members,
        **extra,
    }
