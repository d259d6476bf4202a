"""The case API's typed responses: the OpenAPI document describes what every lead, case and inbox
endpoint returns, and the declared shapes pass on everything the renderers write, unchanged."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from safetynet.api.cases import render
from safetynet.cases import selectors

CASE_PATHS = (
    "/api/v1/leads",
    "/api/v1/cases",
    "/api/v1/inbox",
    "/api/v1/households/{household_id}/cases",
    "/api/v1/sittings",
)


def _resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _case_operations(doc):
    for path, ops in doc["paths"].items():
        if path.startswith(CASE_PATHS):
            for method, op in ops.items():
                yield f"{method.upper()} {path}", op


@pytest.mark.django_db
def test_every_case_and_lead_operation_declares_a_response_schema_with_properties():
    doc = Client().get("/api/v1/openapi.json").json()
    ops = dict(_case_operations(doc))
    assert len(ops) >= 31 + 9  # as many as before the split, and the review group's sittings
    for name, op in ops.items():
        success = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert success, name
        for code, response in success.items():
            ((media, content),) = response["content"].items()
            if name == "GET /api/v1/cases/{case_id}/attachments/{attachment_id}":
                assert content["schema"] == {"type": "string", "format": "binary"}
                continue
            assert media == "application/json", name
            schema = _resolve(doc, content["schema"])
            assert schema.get("type") == "object" and schema.get("properties"), (name, code, schema)
            assert "additionalProperties" not in schema, name
        assert {"400", "401", "403", "404", "409"} <= set(op["responses"]), name


@pytest.mark.django_db
def test_the_case_detail_schema_names_the_records_and_their_fields():
    doc = Client().get("/api/v1/openapi.json").json()
    detail = _resolve(
        doc,
        doc["paths"]["/api/v1/cases/{case_id}"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ],
    )
    records = _resolve(doc, detail["properties"]["records"])
    assert {"transitions", "decisions", "notices", "refusal_letter", "messages"} <= set(records["properties"])
    transition = _resolve(doc, records["properties"]["transitions"]["items"])
    assert {"name", "from", "to", "actor", "on", "at"} <= set(transition["properties"])
    entry = _resolve(
        doc, _resolve(doc, records["properties"]["notices"]["items"])["properties"]["entries"]["items"]
    )
    assert set(entry["properties"]) == {
        "name",
        "village",
        "scope",
        "family_size",
        "category",
        "benefit_monthly",
    }


def _as_json(value):
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def test_the_typed_case_responses_are_exactly_what_the_renderers_write(proc, users, clock):
    proc.to_decision()
    extension = proc.ok(
        proc.api["township_clerk"].post(f"/cases/{proc.case_id}/extensions", {"reason": "需补充材料"}), 201
    )
    assert set(extension) == {"id", "status"}
    decided = proc.ok(
        proc.api["review_leader"].post(f"/cases/extensions/{extension['id']}/decision", {"approve": True})
    )
    assert set(decided) == {"id", "status", "new_deadline"} and decided["new_deadline"]
    proc.refresh()
    proc.decide()
    clock.advance(5)
    proc.fire("township_clerk", "close_notice")
    proc.post("county_civil", "/county-filing", {"version": proc.version, "note": "同意备案"})

    clerk = users["township_clerk"]
    served = proc.ok(proc.api["township_clerk"].get(f"/cases/{proc.case_id}"))
    rendered = _as_json(render.case_out(clerk, selectors.get_case(clerk, proc.case_id), detail=True))
    assert served == rendered
    records = served["records"]
    for name in (
        "leads",
        "transitions",
        "attachments",
        "investigations",
        "verification_results",
        "village_reviews",
        "decisions",
        "notices",
        "extensions",
        "entitlements",
        "messages",
    ):
        assert records[name], name  # every list was filled, so every record shape was checked
    assert records["transitions"][1]["from"] == "accepted"  # a Python keyword, served by its alias

    history = proc.ok(proc.api["township_clerk"].get(f"/households/{proc.household.pk}/cases"))
    assert history["cases"] == [served] and history["current_status"]["category"] == "dibao"
    explained = proc.ok(
        proc.api["township_clerk"].get(
            f"/cases/{proc.case_id}/decisions/{records['decisions'][0]['id']}/explain"
        )
    )
    assert explained["identical"] is True and set(explained) >= {"recomputed", "frozen"}


def test_a_refused_case_renders_its_refusal_letter_through_the_schema(proc, users):
    proc.accept()
    proc.post("township_clerk", "/refuse", {"version": proc.version, "reason": "申请人户籍不在本县"})
    clerk = users["township_clerk"]
    rendered = _as_json(render.case_out(clerk, selectors.get_case(clerk, proc.case_id), detail=True))
    assert proc.data == rendered
    assert proc.data["records"]["refusal_letter"]["reason"] == "申请人户籍不在本县"
