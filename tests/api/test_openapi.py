"""The OpenAPI document and the docs page, served without a CDN."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/households": {"get", "post"},
    "/api/v1/households/{household_id}": {"get", "patch"},
    "/api/v1/households/{household_id}/members": {"post"},
    "/api/v1/households/{household_id}/members/{membership_id}": {"patch"},
    "/api/v1/households/{household_id}/members/{membership_id}/leave": {"post"},
    "/api/v1/households/{household_id}/facts": {"patch"},
    "/api/v1/households/{household_id}/assessments": {"get", "post"},
    "/api/v1/persons/{person_id}/reveal": {"post"},
    "/api/v1/assessments": {"post"},
    "/api/v1/parameters": {"get", "post"},
}


def test_openapi_json_lists_every_endpoint_and_nothing_internal():
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    listed = {path: set(ops) for path, ops in schema["paths"].items()}
    for path, ops in PATHS.items():
        assert listed.get(path) == ops, path
    # Other apps add their endpoints; nothing internal (docs assets, the JSON 404 fallback) is listed.
    assert not [p for p in listed if "docs" in p or "{path" in p or "rest" in p]


def test_openapi_declares_bearer_auth_and_leaves_the_token_endpoint_open():
    schema = Client().get("/api/v1/openapi.json").json()
    (scheme,) = schema["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "security" not in schema["paths"]["/api/v1/auth/token"]["post"]
    assert schema["paths"]["/api/v1/households"]["get"]["security"]


def test_openapi_documents_the_error_shape_and_the_choices():
    schema = Client().get("/api/v1/openapi.json").json()
    create = schema["paths"]["/api/v1/households"]["post"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(create["responses"])
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "field"}
    member = schema["components"]["schemas"]["MemberIn"]
    assert set(member["properties"]["relation"]["enum"]) >= {"head", "spouse", "child"}


def test_docs_page_loads_swagger_from_this_server():
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        url = f"/api/v1/docs/assets/{asset}"
        assert url in html
        asset_response = Client().get(url)
        assert asset_response.status_code == 200
        assert b"".join(asset_response.streaming_content)


def test_docs_assets_serve_only_the_known_files():
    for name in ("..%2Fmain.py", "settings.py", "swagger-ui.css.map"):
        assert Client().get(f"/api/v1/docs/assets/{name}").status_code == 404


def test_api_root_points_to_the_docs():
    r = Client().get("/api/v1/")
    assert r.status_code == 200
    assert r.json() == {"docs": "/api/v1/docs", "openapi": "/api/v1/openapi.json"}
