"""Leads from every channel, merging into one open case, the public application and its status."""

from __future__ import annotations

from django.test import Client

from safetynet.cases import services
from safetynet.cases.models import Lead, PublicAttempt
from tests.api.conftest import ApiClient
from tests.conftest import VILLAGE_A, VILLAGE_C, new_id

PUBLIC_ID = new_id()


def test_a_department_warning_by_id_number_merges_into_the_open_case(proc, users):
    proc.accept()
    head = proc.household.head
    liaison = ApiClient(users["dept_liaison"])
    body = {
        "channel": "department_warning",
        "village": VILLAGE_A,
        "summary": "医保：年度自付超过3万元",
        "subject_id_number": head.id_number,
        "subject_name": head.name,
        "rule": "medical_high",
        "dedup_key": f"medical_high:{head.pk}:2026",
    }
    r = liaison.post("/leads", body)
    assert r.status_code == 201, r.content
    assert r.json()["case_id"] == proc.case_id and r.json()["status"] == "in_case"
    again = liaison.post("/leads", body)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    data = proc.refresh()
    assert sorted(x["channel"] for x in data["records"]["leads"]) == ["department_warning", "grassroots"]


def test_leads_about_a_family_without_a_case_are_merged_when_it_is_accepted(users, poor_household):
    clerk = ApiClient(users["township_clerk"])
    ids = []
    for channel in ("self_declared", "grassroots"):
        r = clerk.post(
            "/leads",
            {"channel": channel, "village": VILLAGE_A, "summary": "困难", "household_id": poor_household.pk},
        )
        ids.append(r.json()["id"])
    worklist = clerk.get("/leads").json()["items"]
    assert {x["id"] for x in worklist} == set(ids) and all(x["days_since"] == 0 for x in worklist)
    r = clerk.post("/cases", {"household_id": poor_household.pk, "lead_ids": [ids[0]]})
    assert r.status_code == 201
    assert set(Lead.objects.filter(pk__in=ids).values_list("case_id", flat=True)) == {r.json()["id"]}
    # Accepting the same household again merges instead of opening a second case.
    r2 = clerk.post("/cases", {"household_id": poor_household.pk})
    assert r2.status_code == 200 and r2.json()["id"] == r.json()["id"] and r2.json()["created"] is False


def test_a_department_liaison_may_not_file_a_grassroots_lead(users):
    r = ApiClient(users["dept_liaison"]).post(
        "/leads",
        {
            "channel": "grassroots",
            "village": VILLAGE_A,
            "summary": "x",
            "subject_id_number": "",
        },
    )
    assert r.status_code == 403


def test_a_village_officer_files_leads_only_in_their_village(users):
    r = ApiClient(users["village_officer"]).post(
        "/leads",
        {
            "channel": "grassroots",
            "village": VILLAGE_C,
            "summary": "x",
            "subject_name": "张三",
            "subject_id_number": new_id(),
        },
    )
    assert r.status_code == 404 and r.json()["field"] == "village"


def test_leads_import_from_csv_checks_every_row_first(users):
    clerk = ApiClient(users["county_civil"])
    a, b = new_id(), new_id()
    good = (
        "village,name,id_number,phone,summary,rule,dedup_key\n"
        f"{VILLAGE_A},张三,{a},13900000000,低保边缘比对,edge_scan,e1\n"
        f"{VILLAGE_C},李四,{b},,残疾人比对,disabled_scan,e2\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(text):
        f = SimpleUploadedFile("leads.csv", text.encode("utf-8-sig"), content_type="text/csv")
        return clerk.client.post(
            "/api/v1/leads/import", {"channel": "data_comparison", "file": f}, **clerk.headers
        )

    bad = good + f"{VILLAGE_A},王五,123,,x,,\n"
    r = send(bad)
    assert r.status_code == 400 and "第4行" in r.json()["message"]
    assert Lead.objects.count() == 0
    assert send(good).json() == {"rows": 2, "created": 2, "duplicates": 0}
    assert send(good).json() == {"rows": 2, "created": 0, "duplicates": 2}


def test_the_public_can_apply_without_an_account_and_check_progress(county, clock):
    lead = services.submit_public_application(
        name="钱小红",
        id_number=PUBLIC_ID,
        village_code=VILLAGE_A,
        phone="13800001111",
        summary="丈夫去世，独自抚养两个孩子",
        client="10.0.0.9",
    )
    assert lead.channel == "self_declared" and lead.reference.startswith("XN-L-")
    status = services.public_status(reference=lead.reference, id_last4=PUBLIC_ID[-4:], client="10.0.0.9")
    assert status["stage"] == "已收到，等待乡镇受理"
    assert set(status) == {"reference", "received_on", "stage", "outcome"} and status["outcome"] == ""
    import pytest

    from safetynet.core.errors import NotFound

    with pytest.raises(NotFound) as wrong:
        services.public_status(reference=lead.reference, id_last4="1111", client="10.0.0.9")
    with pytest.raises(NotFound) as missing:
        services.public_status(reference="XN-L-2026-999999", id_last4=PUBLIC_ID[-4:], client="10.0.0.9")
    assert wrong.value.as_dict() == missing.value.as_dict()


def test_the_public_application_is_throttled_per_address(county, clock):
    web = Client(REMOTE_ADDR="10.0.0.7")
    form = {
        "name": "钱小红",
        "id_number": PUBLIC_ID,
        "village": VILLAGE_A,
        "phone": "13800001111",
        "summary": "困难",
    }
    for _ in range(5):
        assert web.post("/apply/", form).status_code == 200
    r = web.post("/apply/", form)
    assert r.status_code == 429 and "频繁" in r.content.decode()
    assert Client(REMOTE_ADDR="10.0.0.8").post("/apply/", form).status_code == 200
    assert PublicAttempt.objects.filter(client="10.0.0.7").count() == 5
    assert Lead.objects.filter(channel="self_declared").count() == 6
