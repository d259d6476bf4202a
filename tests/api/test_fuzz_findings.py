"""What the API fuzzer found (29,956 generated requests): request shapes that once answered 500.

Parametrized over the OpenAPI document so an endpoint added later is covered as well: every list
endpoint's integer query parameter at and beyond 2^63, and every multipart endpoint with a body
whose boundary is missing, answer 400 with the one error shape.
"""

from __future__ import annotations

import re

import pytest

from safetynet.accounts.roles import Role
from safetynet.api.main import api
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _operations():
    # Read at collection time, so straight from the API object rather than through a request.
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def _filled(path: str, op: dict) -> str:
    """The path with each path parameter given a value of its type (1 for an integer)."""
    for p in op.get("parameters", []):
        if p.get("in") == "path":
            value = "1" if p.get("schema", {}).get("type") == "integer" else "civil"
            path = path.replace("{" + p["name"] + "}", value)
    return path


def _multipart_operations():
    return sorted(
        (_filled(path, op), method)
        for path, method, op in _operations()
        if "multipart/form-data" in (op.get("requestBody") or {}).get("content", {})
    )


def _integer_query_parameters():
    found = []
    for path, method, op in _operations():
        if method != "get" or "{" in path:
            continue
        for p in op.get("parameters", []):
            schema = p.get("schema", {})
            types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if p.get("in") == "query" and "integer" in types:
                found.append((path, p["name"]))
    return sorted(found)


def _assert_error_shape(r, status: int = 400):
    assert r.status_code == status, (r.status_code, r.content[:300])
    body = r.json()
    assert set(body) == {"code", "message", "field"}
    assert body["message"] and not body["message"].isascii()


def test_the_document_lists_the_endpoints_this_file_guards():
    assert len(_multipart_operations()) >= 3  # the three the fuzzer found
    assert ("/api/v1/households", "offset") in _integer_query_parameters()


@pytest.fixture
def admin_api(make_user):
    return ApiClient(make_user(Role.ADMIN))


@pytest.mark.parametrize(("path", "method"), _multipart_operations())
@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8"],
)
def test_a_multipart_body_without_a_boundary_is_a_400(admin_api, path, method, content_type):
    r = getattr(admin_api.client, method)(
        path,
        data=b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n",
        content_type=content_type,
        **admin_api.headers,
    )
    _assert_error_shape(r)
    assert r.json()["code"] == "malformed_multipart"


@pytest.mark.parametrize(("path", "name"), _integer_query_parameters())
@pytest.mark.parametrize("value", [2**63, 2**64, 10**30])
def test_an_integer_query_parameter_at_or_beyond_2_to_the_63_is_a_400(admin_api, path, name, value):
    r = admin_api.client.get(path, {name: str(value)}, **admin_api.headers)
    _assert_error_shape(r)
    assert r.json()["field"] == name


def _integer_path_operations():
    return sorted(
        (path, method)
        for path, method, op in _operations()
        if any(
            p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
            for p in op.get("parameters", [])
        )
    )


@pytest.mark.parametrize(("path", "method"), _integer_path_operations())
def test_an_object_id_beyond_2_to_the_63_is_not_found_rather_than_a_server_error(admin_api, path, method):
    url = re.sub(r"\{[^}]+\}", str(2**63), path)
    if method == "get":
        r = admin_api.client.get(url, **admin_api.headers)
    else:
        r = getattr(admin_api.client, method)(url, "{}", content_type="application/json", **admin_api.headers)
    assert r.status_code in (400, 404), (r.status_code, r.content[:300])
    assert set(r.json()) == {"code", "message", "field"}
