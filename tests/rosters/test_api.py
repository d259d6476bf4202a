"""花名册 through the API: the rows in force on a day, in the caller's reach, filtered, with the
totals of the whole selection; bad values named by field; an area outside the reach is a 404."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A

pytestmark = pytest.mark.django_db


def ids(body) -> list[int]:
    return [r["household_id"] for r in body["items"]]


def test_the_roster_of_a_day_in_the_callers_reach(roster, make_user):
    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    body = county.get("/rosters").json()
    assert sorted(ids(body)) == sorted(h.pk for h in roster.values())
    assert body["totals"] == {"households": 3, "people": 4, "amount": "1650.00"}
    assert {c["category"]: (c["households"], c["amount"]) for c in body["by_category"]} == {
        "dibao": (1, "450.00"),
        "other_low_income": (1, "0.00"),
        "tekun": (1, "1200.00"),
    }
    wang = next(r for r in body["items"] if r["household_id"] == roster["wang"].pk)
    assert (wang["head_name"], wang["people"], wang["benefit_monthly"]) == ("王*国", 2, "450.00")
    # The same roster as it was in April: the earlier amount, and 赵大 and 刘一 already in.
    april = county.get("/rosters", {"on": "2026-04-15"}).json()
    assert {r["household_id"]: r["benefit_monthly"] for r in april["items"]}[roster["wang"].pk] == "600.00"
    assert county.get("/rosters", {"on": "2026-01-15"}).json()["count"] == 1
    officer = ApiClient(make_user(Role.VILLAGE_OFFICER, VILLAGE_A))
    assert sorted(ids(officer.get("/rosters").json())) == sorted([roster["wang"].pk, roster["zhao"].pk])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "tekun"}, ["liu"]),
        ({"marked": "1"}, ["zhao"]),
        ({"marked": "0"}, ["liu", "wang"]),
        ({"monitoring_type": "edge_prone"}, ["zhao"]),
        ({"member_category": "tekun"}, ["liu"]),
        ({"amount_min": "400", "amount_max": "500"}, ["wang"]),
        ({"amount_min": "1000"}, ["liu"]),
        ({"township": GUANGHUA}, ["liu"]),
        ({"review_due_by": "2026-12-31"}, []),
        ({"review_due_by": "2027-12-31"}, ["liu", "wang", "zhao"]),
    ],
)
def test_each_filter_narrows_the_roster(roster, make_user, params, expected):
    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    body = county.get("/rosters", params).json()
    assert sorted(ids(body)) == sorted(roster[k].pk for k in expected)
    assert body["count"] == len(expected)


def test_sorting_and_paging(roster, make_user):
    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    by_amount = county.get("/rosters", {"order": "-amount"}).json()
    assert ids(by_amount) == [roster["liu"].pk, roster["wang"].pk, roster["zhao"].pk]
    page = county.get("/rosters", {"order": "amount", "limit": 1, "offset": 1}).json()
    assert ids(page) == [roster["wang"].pk] and page["count"] == 3


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"category": "rich"}, "category", 400),
        ({"on": "2026-06-02"}, "on", 400),  # the future (today is 2026-06-01)
        ({"on": "2026-13-01"}, "on", 400),
        ({"marked": "maybe"}, "marked", 400),
        ({"monitoring_type": "x"}, "monitoring_type", 400),
        ({"amount_min": "abc"}, "amount_min", 400),
        ({"amount_min": "-1"}, "amount_min", 400),
        ({"amount_min": "500", "amount_max": "100"}, "amount_max", 400),
        ({"order": "name"}, "order", 400),
        ({"township": "141029999"}, "township", 404),
    ],
)
def test_bad_values_are_named_by_field(roster, make_user, params, field, status):
    county = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    r = county.get("/rosters", params)
    assert r.status_code == status
    assert r.json()["field"] == field and r.json()["message"]


def test_an_area_outside_the_reach_is_not_found_and_a_liaison_may_not_read(roster, make_user):
    clerk = ApiClient(make_user(Role.TOWNSHIP_CLERK, CHANGNING))
    assert clerk.get("/rosters", {"township": GUANGHUA}).status_code == 404
    assert clerk.get("/rosters", {"township": CHANGNING}).json()["count"] == 2
    liaison = ApiClient(make_user(Role.DEPT_LIAISON))
    assert liaison.get("/rosters").status_code == 403


def test_the_monitored_list_for_agriculture(roster, make_user):
    agri = ApiClient(make_user(Role.COUNTY_AGRI, "141029"))
    body = agri.get("/rosters/monitored").json()
    assert ids(body) == [roster["zhao"].pk]
    row = body["items"][0]
    assert row["monitoring_type"] == "edge_prone" and row["marked_since"] == "2026-02-01"
    # Monitored since February: not yet long enough for the income to count as stable (POLICY.md §8).
    assert row["risk_closure_possible"] is False and "持续稳定" in row["risk_closure_note"]


def _sheet(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_is_masked_and_unmasked_only_with_the_permission_and_a_reason(roster, make_user):
    civil = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    r = civil.get("/rosters/export.xlsx", {"category": "dibao"})
    assert r.status_code == 200
    rows = _sheet(r)
    assert rows[1][0] == "户编号" and rows[2][3] == "王*国" and len(rows) == 3
    assert AuditRecord.objects.get(action="roster.export").changes["rows"] == 1
    no_reason = civil.get("/rosters/export.xlsx", {"unmasked": "true"})
    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "reason")
    full = civil.get("/rosters/export.xlsx", {"category": "dibao", "unmasked": "true", "reason": "银行核对"})
    assert _sheet(full)[2][3] == "王建国" and len(_sheet(full)[2][4]) == 18
    rec = AuditRecord.objects.get(action="roster.export_unmasked")
    assert rec.reason == "银行核对" and rec.changes["query"]["category"] == "dibao"
    member = ApiClient(make_user(Role.REVIEW_MEMBER, CHANGNING))
    assert member.get("/rosters/export.xlsx", {"unmasked": "true", "reason": "x"}).status_code == 403


def test_a_large_export_needs_confirmation(roster, make_user, monkeypatch):
    from safetynet.rosters import exports

    monkeypatch.setattr(exports, "EXPORT_CONFIRM_ROWS", 2)
    civil = ApiClient(make_user(Role.COUNTY_CIVIL, "141029"))
    before = AuditRecord.objects.count()
    r = civil.get("/rosters/export.xlsx")
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (
        400,
        "confirm",
        "export_needs_confirmation",
    )
    assert AuditRecord.objects.count() == before
    assert civil.get("/rosters/export.xlsx", {"confirm": "true"}).status_code == 200
