"""The sitting's web pages: the township's sittings, attendance, agenda, votes, and the leader's
confirm button — the same services as the API, a Chinese message beside a failing form."""

from __future__ import annotations

from django.test import Client

from safetynet.accounts.roles import Role
from tests.conftest import GUANGHUA


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_group_decides_a_case_on_the_sitting_pages(proc, users):
    proc.to_decision()
    member, leader = login(users["review_member"]), login(users["review_leader"])
    # The case page records the decision on today's sitting and says it is pending.
    r = member.post(
        f"/cases/{proc.case_id}/do/decision/",
        {"decision_action": "confirm", "panel": "", "version": str(proc.version)},
    )
    assert r.status_code == 302
    page = member.get(f"/cases/{proc.case_id}/").content.decode()
    assert 'id="pending-decision"' in page and "待表决" in page
    item = proc.ok(proc.api["review_member"].get(f"/cases/{proc.case_id}/sitting"))
    sid = item["sitting_id"]
    assert f"/cases/sittings/{sid}/" in member.get("/cases/sittings/").content.decode()
    # Too few attendees: the message beside the attendance form.
    r = member.post(
        f"/cases/sittings/{sid}/do/attendance/",
        {"attendee_ids": [users["review_member"].pk], "version": "2"},
    )
    assert r.status_code == 400 and "少于规定的3人" in r.content.decode()
    version = proc.ok(proc.api["review_member"].get(f"/sittings/{sid}"))["version"]
    r = member.post(
        f"/cases/sittings/{sid}/do/attendance/",
        {"attendee_ids": [u.pk for u in proc.reviewers()], "version": str(version)},
    )
    assert r.status_code == 302
    page = member.get(f"/cases/sittings/{sid}/").content.decode()
    assert "录入表决" in page and 'id="confirm-sitting"' not in page  # a member has no confirm button
    r = member.post(
        f"/cases/sittings/{sid}/do/vote/",
        {"case_id": proc.case_id, "version": str(proc.refresh()["version"]), "votes_for": "3"},
    )
    assert r.status_code == 302
    version = proc.ok(proc.api["review_member"].get(f"/sittings/{sid}"))["version"]
    assert member.post(f"/cases/sittings/{sid}/do/confirm/", {"version": str(version)}).status_code == 403
    assert proc.refresh()["state"] == "township_decision"
    page = leader.get(f"/cases/sittings/{sid}/").content.decode()
    assert 'id="confirm-sitting"' in page and "表决通过，待组长确认" in page
    assert leader.post(f"/cases/sittings/{sid}/do/confirm/", {"version": str(version)}).status_code == 302
    assert proc.refresh()["state"] == "notice"
    assert "组长已确认" in leader.get(f"/cases/sittings/{sid}/").content.decode()


def test_opening_a_sitting_on_the_web_needs_a_quorum(proc, users):
    c = login(users["review_leader"])
    page = c.get("/cases/sittings/").content.decode()
    assert 'id="open-sitting"' in page and "不少于3人" in page
    r = c.post("/cases/sittings/", {"held_on": "2026-06-01", "attendee_ids": [users["review_leader"].pk]})
    assert r.status_code == 400 and "少于规定的3人" in r.content.decode()
    r = c.post(
        "/cases/sittings/", {"held_on": "2026-06-01", "attendee_ids": [u.pk for u in proc.reviewers()]}
    )
    assert r.status_code == 302 and "/cases/sittings/" in r["Location"]


def test_a_sitting_of_another_township_is_a_404_page(proc, users, make_user):
    proc.to_decision()
    proc.decide()
    sid = proc.ok(proc.api["review_member"].get("/sittings"))["items"][0]["id"]
    other = login(make_user(Role.REVIEW_LEADER, GUANGHUA, "leader_guanghua_web"))
    assert other.get(f"/cases/sittings/{sid}/").status_code == 404
    assert other.post(f"/cases/sittings/{sid}/do/confirm/", {"version": "1"}).status_code == 404
