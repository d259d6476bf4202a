"""The campaign pages: the county office opens a campaign from the list page (errors beside the
field), every role of the menu sees the progress of its own area, the village page lists the cases
behind a figure."""

from __future__ import annotations

import pytest

from safetynet.campaigns.models import Campaign
from safetynet.web.nav import entries_for
from tests.cases.test_web import login
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A

pytestmark = pytest.mark.django_db


def test_the_menu_offers_the_campaigns_to_county_civil_affairs_and_township_roles(users):
    having = {role for role, u in users.items() if "campaigns" in {e.key for e in entries_for(u)}}
    assert having == {"county_civil", "admin", "township_clerk", "review_member", "review_leader"}


def test_the_county_office_opens_a_campaign_and_follows_it_per_township_and_village(
    register, users, django_capture_on_commit_callbacks, client, make_user
):
    web = login(users["county_civil"])
    page = web.get("/campaigns/")
    assert page.status_code == 200 and "开启复核" in page.content.decode()
    bad = web.post(
        "/campaigns/", {"name": "", "area": "141029", "starts_on": "2026-07-01", "ends_on": "2026-08-31"}
    )
    assert bad.status_code == 400 and 'id="err-name"' in bad.content.decode()
    body = {"name": "2026年度复核", "area": "141029", "starts_on": "2026-07-01", "ends_on": "2026-08-31"}
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post("/campaigns/", body)
    c = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/campaigns/{c.pk}/"
    twice = web.post("/campaigns/", body)
    assert twice.status_code == 409 and 'id="err-starts_on"' in twice.content.decode()
    html = web.get(f"/campaigns/{c.pk}/").content.decode()
    assert "昌宁镇" in html and "光华镇" in html and "已生成，复核办理中" in html
    html = web.get(f"/campaigns/{c.pk}/", {"township": CHANGNING}).content.decode()
    assert "东关村" in html and f"?village={VILLAGE_A}" in html
    page = web.get(f"/campaigns/{c.pk}/cases/", {"village": VILLAGE_A, "status": "verified"})
    assert page.status_code == 200 and page.content.decode().count("XN-R-2026-") == 3
    clerk = login(make_user("township_clerk", GUANGHUA, "clerk_guanghua"))
    html = clerk.get(f"/campaigns/{c.pk}/").content.decode()
    assert "光华镇" in html and "昌宁镇" not in html
    assert clerk.post("/campaigns/", body).status_code == 403
