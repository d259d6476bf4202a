"""Opening a review campaign: only the county civil-affairs office (and the administrator), for the
county or one of its townships; a second campaign for the same period over the same, an enclosing
or an enclosed area is refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Perm, Role, has_perm
from safetynet.audit.models import AuditRecord
from safetynet.campaigns import services
from safetynet.campaigns.models import Campaign, CampaignTownship
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, GUANGHUA

pytestmark = pytest.mark.django_db
D = dt.date
JULY, AUGUST_END = D(2026, 7, 1), D(2026, 8, 31)


def _open(user, area="141029", starts=JULY, ends=AUGUST_END, name="2026年度复核"):
    return services.open_campaign(user=user, name=name, area_code=area, starts_on=starts, ends_on=ends)


def test_only_the_county_civil_affairs_office_and_the_admin_may_open_a_campaign():
    assert {r.value for r in Role if has_perm(r, Perm.OPEN_REVIEW_CAMPAIGN)} == {"county_civil", "admin"}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_opening_role_by_role(users, role):
    if role in ("county_civil", "admin"):
        c = _open(users[role])
        assert c.area.code == "141029"
        assert sorted(CampaignTownship.objects.filter(campaign=c).values_list("township__code", flat=True))[
            :2
        ] == [
            CHANGNING,
            GUANGHUA,
        ]
        assert AuditRecord.objects.filter(action="campaign.open", object_id=str(c.pk)).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            _open(users[role])
        assert not Campaign.objects.exists()


def test_a_campaign_opened_twice_for_the_same_period_and_area_is_refused_and_nothing_written(users):
    _open(users["county_civil"])
    audits = AuditRecord.objects.count()
    with pytest.raises(Conflict) as e:
        _open(users["county_civil"], name="又一次")
    assert e.value.code == "campaign_exists" and e.value.field == "starts_on"
    assert Campaign.objects.count() == 1 and AuditRecord.objects.count() == audits


def test_a_township_campaign_inside_an_open_county_campaign_is_refused(users):
    _open(users["county_civil"])
    with pytest.raises(Conflict):
        _open(users["county_civil"], area=CHANGNING, starts=D(2026, 8, 1), ends=D(2026, 8, 15))
    # another year is another campaign
    assert _open(users["county_civil"], starts=D(2027, 7, 1), ends=D(2027, 8, 31)).pk


def test_the_same_period_in_two_townships_is_two_campaigns(users):
    _open(users["county_civil"], area=CHANGNING)
    _open(users["county_civil"], area=GUANGHUA)
    assert Campaign.objects.count() == 2


def test_the_database_refuses_a_duplicate_whatever_writes_it(users):
    from django.db import IntegrityError, transaction

    c = _open(users["county_civil"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            name="x", area=c.area, starts_on=c.starts_on, ends_on=c.ends_on, opened_by=users["admin"]
        )


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"name": " "}, "name"),
        ({"area": "141029100201"}, "area"),  # a village is no campaign area
        ({"area": "141028"}, "area"),  # another county
        ({"ends": D(2026, 6, 1)}, "ends_on"),
        ({"starts": "2026-13-01"}, "starts_on"),
    ],
)
def test_bad_input_is_refused_with_its_field(users, kw, field):
    with pytest.raises(ValidationFailed) as e:
        _open(users["county_civil"], **kw)
    assert e.value.field == field
    assert not Campaign.objects.exists()


def test_the_api_opens_lists_and_refuses_with_json_errors(users):
    body = {"name": "2026年度复核", "area": "141029", "starts_on": "2026-07-01", "ends_on": "2026-08-31"}
    r = ApiClient(users["county_civil"]).post("/review-campaigns", body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["area_name"] and data["status"] in ("pending", "ready")
    r = ApiClient(users["county_civil"]).post("/review-campaigns", body)
    assert r.status_code == 409 and r.json()["code"] == "campaign_exists" and r.json()["field"] == "starts_on"
    r = ApiClient(users["township_clerk"]).post("/review-campaigns", body)
    assert r.status_code == 403
    r = ApiClient(users["county_civil"]).post("/review-campaigns", {**body, "ends_on": "2026-06-01"})
    assert r.status_code == 400 and r.json()["field"] == "ends_on"
    r = ApiClient(users["county_civil"]).post("/review-campaigns", {**body, "area": "1"})
    assert r.status_code == 400 and r.json()["field"] == "area"
    listed = ApiClient(users["township_clerk"]).get("/review-campaigns").json()
    assert [c["id"] for c in listed["items"]] == [data["id"]]  # the clerk sees the county's campaign
    assert ApiClient(users["dept_liaison"]).get("/review-campaigns").json()["count"] == 0
    assert ApiClient(users["dept_liaison"]).get(f"/review-campaigns/{data['id']}").status_code == 404
