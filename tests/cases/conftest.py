"""Case fixtures: a movable procedure clock, immediate jobs, uploads in a temporary media root,
a household that qualifies for 低保, and `Proc`, which drives one case step by step through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal  # noqa: F401

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY

from safetynet.audit.services import SYSTEM
from safetynet.core import clock as system_clock
from safetynet.entitlements import services as ent
from tests.api.conftest import ApiClient
from tests.conftest import VILLAGE_A, member

D = dt.date

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Clock:
    def __init__(self, monkeypatch, day: dt.date):
        self.day = day
        monkeypatch.setattr(system_clock, "today", lambda: self.day)

    def set(self, day: dt.date) -> None:
        self.day = day

    def advance(self, days: int) -> None:
        self.day += dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _jobs_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    before, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = before


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, dt.date(2026, 6, 1))  # a Monday


@pytest.fixture
def poor_household(make_household):
    """Rural, two members, no income: 低保 under every year's standard."""
    return make_household(
        VILLAGE_A,
        members=[
            member("head", name="王大山", birth=dt.date(1968, 3, 2), phone="13912345678"),
            member("spouse", name="李秀英", birth=dt.date(1970, 8, 9)),
        ],
    )


@pytest.fixture
def well_off_household(make_household):
    return make_household(
        VILLAGE_A,
        members=[member("head", name="赵富贵", birth=dt.date(1975, 1, 1), income_wage_12m="90000")],
    )


def upload(user, case_id: int, kind: str, data: bytes = PDF, name: str = "scan.pdf", version=None):
    api = ApiClient(user)
    body = {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}
    if version is not None:
        body["version"] = version
    return api.client.post(f"/api/v1/cases/{case_id}/attachments", body, **api.headers)


class Proc:
    """One case driven through the API, each step by the role that does it; every call asserts 200."""

    def __init__(self, users, household, clock):
        self.u, self.household, self.clock = users, household, clock
        self.api = {role: ApiClient(user) for role, user in users.items()}
        self.case_id = None
        self.data = None

    def ok(self, response, status=200):
        assert response.status_code == status, response.content.decode()
        return response.json()

    @property
    def version(self) -> int:
        return self.data["version"]

    def refresh(self):
        self.data = self.ok(self.api["township_clerk"].get(f"/cases/{self.case_id}"))
        return self.data

    def post(self, role, path, body, status=200):
        self.data = self.ok(self.api[role].post(f"/cases/{self.case_id}{path}", body), status)
        return self.data

    def accept(self, kind: str = ""):
        lead = self.ok(
            self.api["village_officer"].post(
                "/leads",
                {
                    "channel": "grassroots",
                    "village": VILLAGE_A,
                    "summary": "户主失业，配偶患病",
                    "household_id": self.household.pk,
                },
            ),
            201,
        )
        data = self.ok(
            self.api["township_clerk"].post(
                "/cases", {"household_id": self.household.pk, "lead_ids": [lead["id"]], "kind": kind}
            ),
            201,
        )
        self.case_id = data["id"]
        return self.refresh()

    def fire(self, role, name, reason=""):
        return self.post(role, f"/transitions/{name}", {"version": self.version, "reason": reason})

    def investigate(self, **extra):
        body = {
            "version": self.version,
            "visited_on": self.clock.day.isoformat(),
            "investigators": "张干事、刘专干",
            "hardship_causes": ["illness", "unemployment"],
            "risk": ["illness"],
            "household_facts": {"financial_assets": "3000"},
            **extra,
        }
        return self.post("village_officer", "/investigation", body)

    def consent(self):
        self.ok(upload(self.u["village_officer"], self.case_id, "consent"), 201)
        return self.refresh()

    def verify(self):
        members = self.household.memberships.filter(left_on__isnull=True, counted=True)
        results = [
            {"person_id": m.person_id, "outcome": "consistent", "sources": {"hukou": {"ok": True}}}
            for m in members
        ]
        return self.post(
            "township_clerk", "/verification-results", {"version": self.version, "results": results}
        )

    def review(self, votes_for=7, votes_against=1, count=9):
        record = self.ok(upload(self.u["village_officer"], self.case_id, "village_review_record"), 201)
        self.refresh()
        return self.post(
            "village_officer",
            "/village-review",
            {
                "version": self.version,
                "held_on": self.clock.day.isoformat(),
                "attendees": "村两委、党员代表、群众代表",
                "attendee_count": count,
                "votes_for": votes_for,
                "votes_against": votes_against,
                "record_id": record["id"],
            },
        )

    def to_review(self, **investigation):
        """Accepted, investigated (with `investigation`'s fields) with consent, verified: waiting
        for the village review."""
        self.accept()
        self.fire("village_officer", "start_investigation")
        self.investigate(**investigation)
        self.consent()
        self.fire("village_officer", "start_verification")
        self.verify()
        self.fire("township_clerk", "complete_verification")
        return self.data

    def to_decision(self):
        self.to_review()
        self.review()
        assert self.data["state"] == "township_decision"
        return self.data

    def reviewers(self) -> list:
        """The township review group at its sittings: the leader, the member and a second member
        (the quorum, `procedure.review_group_quorum`, is 3)."""
        from safetynet.accounts.models import User

        leader, first = self.u["review_leader"], self.u["review_member"]
        second, _ = User.objects.get_or_create(
            username=f"review_member_2_{first.area.code}",
            defaults={"role": first.role, "area": first.area, "display_name": "第二成员"},
        )
        return [leader, first, second]

    def sitting(self) -> dict:
        """Today's open sitting of the household's township (with a quorum), opened if there is none."""
        township = self.household.village.parent.code
        people = [u.pk for u in self.reviewers()]
        rows = self.ok(self.api["review_member"].get("/sittings", {"township": township, "status": "open"}))
        today = [r for r in rows["items"] if r["held_on"] == self.clock.day.isoformat()]
        if not today:
            body = {"township": township, "held_on": self.clock.day.isoformat(), "attendee_ids": people}
            return self.ok(self.api["review_member"].post("/sittings", body), 201)
        sitting = self.ok(self.api["review_member"].get(f"/sittings/{today[0]['id']}"))
        if not sitting["has_quorum"]:  # opened from the case page, attendance not yet recorded
            body = {"version": sitting["version"], "attendee_ids": people}
            sitting = self.ok(self.api["review_member"].post(f"/sittings/{sitting['id']}/attendance", body))
        return sitting

    def decide(self, action="confirm", role="review_leader", **extra):
        """The review group decides in a sitting: the decision is recorded on today's sitting with
        a unanimous vote, then the leader confirms the sitting and the decision takes effect."""
        sitting = self.sitting()
        sid, present = sitting["id"], len(sitting["attendees"])
        body = {"case_id": self.case_id, "version": self.version, "action": action, **extra}
        body.update(votes_for=present, votes_against=0, abstentions=0)
        sitting = self.ok(self.api[role].post(f"/sittings/{sid}/decisions", body))
        item = next(i for i in sitting["items"] if i["case_id"] == self.case_id)
        assert item["status"] == "passed", item
        self.refresh()
        assert self.data["state"] == "township_decision"  # nothing takes effect before the leader
        self.ok(self.api["review_leader"].post(f"/sittings/{sid}/confirm", {"version": sitting["version"]}))
        return self.refresh()


@pytest.fixture
def proc(users, poor_household, clock):
    return Proc(users, poor_household, clock)


class Dyn:
    def __init__(self, users, household, clock):
        self.u, self.household, self.clock = users, household, clock
        self.api = {role: ApiClient(user) for role, user in users.items()}

    def ok(self, response, status=200):
        assert response.status_code == status, response.content.decode()
        return response.json()

    def accept(self, kind="", status=201):
        body = {"household_id": self.household.pk, "summary": "家庭变化", "kind": kind}
        self.data = self.ok(self.api["township_clerk"].post("/cases", body), status)
        self.case_id = self.data["id"]
        return self.data

    def post(self, role, path, body, status=200):
        r = self.api[role].post(f"/cases/{self.case_id}{path}", body)
        if status != 200:
            assert r.status_code == status, r.content.decode()
            return r.json()
        self.data = self.ok(r)
        return self.data

    def fire(self, role, name, reason=""):
        return self.post(role, f"/transitions/{name}", {"version": self.data["version"], "reason": reason})

    def to_decision(self, kind=""):
        self.accept(kind)
        self.fire("village_officer", "start_reverification", "复核")
        members = self.household.memberships.filter(left_on__isnull=True, counted=True)
        results = [
            {"person_id": m.person_id, "outcome": "consistent", "sources": {"hukou": {"ok": True}}}
            for m in members
        ]
        self.post(
            "township_clerk", "/verification-results", {"version": self.data["version"], "results": results}
        )
        self.fire("township_clerk", "complete_reverification")
        assert self.data["state"] == "township_decision"
        return self.data

    def decide(self, action, reason="", status=200, **extra):
        body = {"version": self.data["version"], "action": action, "reason": reason, **extra}
        return self.post("review_member", "/change-decision", body, status)

    def file(self):
        return self.post("county_civil", "/county-filing", {"version": self.data["version"], "note": "同意"})


@pytest.fixture
def recipient(clock, poor_household, users):
    """The 低保 household (two members, no income), entitled from 2026-02-01 at the amount the
    engine gives it, so that a review with nothing changed confirms it."""
    from safetynet.assessments.services import assess_household

    poor_household.memberships.update(joined_on=D(2020, 1, 1))  # registered long before

    a = assess_household(user=users["admin"], household_id=poor_household.pk, on=D(2026, 6, 1))
    ent.open_row(
        household=poor_household,
        valid_from=D(2026, 2, 1),
        terms=ent.Terms(category=a.category, benefit_monthly=a.benefit_monthly),
        basis="admission",
        decided_on=D(2026, 1, 20),
        actor=SYSTEM,
    )
    return poor_household


@pytest.fixture
def dyn(users, recipient, clock):
    return Dyn(users, recipient, clock)


from tests.browser.conftest import flushable_audit_trail  # noqa: E402,F401  (transactional tests flush the trail)
