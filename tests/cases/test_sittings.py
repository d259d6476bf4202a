"""The township review group decides in one sitting (seed 二(二)2): attendance with a quorum,
several cases on the agenda, a vote on each, and the leader's confirmation, without which no
decision takes effect."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.cases import services
from safetynet.cases.models import Case, Sitting, SittingItem, TownshipDecision
from safetynet.core.errors import NotFound, PermissionDenied, SafetynetError
from tests.api.conftest import ApiClient
from tests.cases.conftest import Proc
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, member


@pytest.fixture
def second_household(make_household):
    return make_household(
        VILLAGE_A,
        members=[
            member("head", name="刘老汉", birth=dt.date(1958, 4, 4)),
            member("spouse", name="孙桂香", birth=dt.date(1960, 9, 9)),
        ],
    )


@pytest.fixture
def two(users, poor_household, second_household, clock):
    """Two cases of 昌宁镇 waiting for the review group."""
    a, b = Proc(users, poor_household, clock), Proc(users, second_household, clock)
    a.to_decision()
    b.to_decision()
    return a, b


def _open(proc, people=None, role="review_member", status=201):
    people = people if people is not None else [u.pk for u in proc.reviewers()]
    body = {"township": CHANGNING, "held_on": proc.clock.day.isoformat(), "attendee_ids": people}
    return proc.ok(proc.api[role].post("/sittings", body), status)


def _record(proc, sitting, role="review_member", status=200, votes=(3, 0, 0), **extra):
    body = {"case_id": proc.case_id, "version": proc.refresh()["version"], "action": "confirm", **extra}
    if votes is not None:
        body.update(votes_for=votes[0], votes_against=votes[1], abstentions=votes[2])
    return proc.ok(proc.api[role].post(f"/sittings/{sitting['id']}/decisions", body), status)


def _confirm(proc, sitting, role="review_leader", version=None):
    version = sitting["version"] if version is None else version
    return proc.api[role].post(f"/sittings/{sitting['id']}/confirm", {"version": version})


def _item(sitting, proc) -> dict:
    return next(i for i in sitting["items"] if i["case_id"] == proc.case_id)


def test_a_member_alone_cannot_make_a_decision_take_effect(proc):
    proc.to_decision()
    # Through the case's own endpoint: recorded on today's sitting, pending, the case stays.
    proc.post(
        "review_member", "/township-decision", {"version": proc.version, "action": "confirm", "panel": "三人"}
    )
    assert proc.data["state"] == "township_decision"
    pending = proc.ok(proc.api["review_member"].get(f"/cases/{proc.case_id}/sitting"))
    assert (pending["status"], pending["action"]) == ("pending", "confirm")
    assert pending["decision"]["effective"] is False
    # A unanimous vote recorded by the member still waits for the leader.
    sitting = proc.ok(proc.api["review_member"].get(f"/sittings/{pending['sitting_id']}"))
    assert sitting["has_quorum"] is False and sitting["attendees"] == []
    body = {"version": sitting["version"], "attendee_ids": [u.pk for u in proc.reviewers()]}
    sitting = proc.ok(proc.api["review_member"].post(f"/sittings/{sitting['id']}/attendance", body))
    sitting = proc.ok(
        proc.api["review_member"].post(
            f"/sittings/{sitting['id']}/votes",
            {
                "case_id": proc.case_id,
                "version": proc.refresh()["version"],
                "votes_for": 3,
                "votes_against": 0,
            },
        )
    )
    assert _item(sitting, proc)["status"] == "passed"
    r = _confirm(proc, sitting, role="review_member")
    assert r.status_code == 403
    assert _confirm(proc, sitting, role="admin").status_code == 403  # an administrator does not decide
    assert proc.refresh()["state"] == "township_decision"
    assert not TownshipDecision.objects.filter(case_id=proc.case_id, effective=True).exists()
    # The generic transition endpoint cannot move it either: a pending decision is no decision.
    r = proc.api["review_member"].post(
        f"/cases/{proc.case_id}/transitions/decide_with_notice", {"version": proc.version}
    )
    assert r.status_code in (400, 404, 409, 422)
    assert proc.refresh()["state"] == "township_decision"
    # The leader confirms: now it takes effect.
    assert _confirm(proc, sitting).status_code == 200
    assert proc.refresh()["state"] == "notice"
    assert proc.data["records"]["transitions"][-1]["role"] == "review_leader"


def test_the_leader_confirms_and_all_passed_cases_move_on_in_one_transaction(two):
    a, b = two
    sitting = _open(a)
    _record(a, sitting)
    sitting = _record(b, sitting)
    assert [i["status"] for i in sitting["items"]] == ["passed", "passed"]
    # The second case changes after its vote (a new vote is needed): the whole confirmation is
    # refused and the first case, already valid, does not move either.
    ext = b.ok(b.api["review_member"].post(f"/cases/{b.case_id}/extensions", {"reason": "需补充材料"}), 201)
    b.ok(b.api["review_leader"].post(f"/cases/extensions/{ext['id']}/decision", {"approve": True}))
    r = _confirm(a, sitting)
    assert r.status_code == 409 and r.json()["field"] == "items"
    assert a.refresh()["state"] == b.refresh()["state"] == "township_decision"
    assert Sitting.objects.get(pk=sitting["id"]).status == "open"
    # Voted again, then confirmed: both move on together.
    sitting = _record(b, a.ok(a.api["review_member"].get(f"/sittings/{sitting['id']}")))
    r = _confirm(a, sitting)
    assert r.status_code == 200, r.content.decode()
    done = r.json()
    assert done["status"] == "confirmed" and done["confirmed_by"]
    assert [i["status"] for i in done["items"]] == ["effective", "effective"]
    assert a.refresh()["state"] == b.refresh()["state"] == "notice"
    for p in (a, b):
        decision = TownshipDecision.objects.get(case_id=p.case_id, effective=True)
        assert decision.decided_on == p.clock.day
        assert "第二成员" in decision.panel  # the panel is who attended
    assert AuditRecord.objects.filter(action="sitting.confirm", object_id=str(sitting["id"])).exists()


def test_two_cases_in_one_sitting_one_granted_one_refused(two):
    a, b = two
    sitting = _open(a)
    _record(a, sitting)
    sitting = _record(b, sitting, action="refuse", reason="入户核实家中有经营性车辆")
    assert len(sitting["items"]) == 2
    assert _confirm(a, sitting).status_code == 200
    assert a.refresh()["state"] == "notice"
    assert b.refresh()["state"] == "refused"
    assert b.data["records"]["refusal_letter"]["step"] == "township_decision"
    assert "经营性车辆" in b.data["records"]["refusal_letter"]["reason"]


def test_a_quorum_below_the_parameter_is_refused_with_a_field_error(proc):
    proc.to_decision()
    leader, first, _ = proc.reviewers()
    r = proc.api["review_member"].post(
        "/sittings",
        {"township": CHANGNING, "held_on": proc.clock.day.isoformat(), "attendee_ids": [leader.pk, first.pk]},
    )
    assert r.status_code == 400
    assert r.json() == {
        "code": "below_quorum",
        "message": "出席会议的审核确认小组成员为2人，少于规定的3人，不能作出审核确认决定。",
        "field": "attendee_ids",
    }
    # A sitting opened from the case page has no attendance yet: the leader cannot confirm it.
    proc.post("review_member", "/township-decision", {"version": proc.version, "action": "confirm"})
    item = proc.ok(proc.api["review_member"].get(f"/cases/{proc.case_id}/sitting"))
    sitting = proc.ok(proc.api["review_leader"].get(f"/sittings/{item['sitting_id']}"))
    r = _confirm(proc, sitting)
    assert r.status_code == 400 and r.json()["field"] == "attendee_ids"
    assert proc.refresh()["state"] == "township_decision"
    # Exactly the quorum is enough.
    assert _open(proc)["has_quorum"] is True


def test_only_reviewers_of_the_township_attend(proc, make_user):
    proc.to_decision()
    outsider = make_user(Role.REVIEW_MEMBER, GUANGHUA, "member_guanghua")
    people = [u.pk for u in proc.reviewers()[:2]] + [outsider.pk, proc.u["township_clerk"].pk]
    r = proc.api["review_member"].post(
        "/sittings", {"township": CHANGNING, "held_on": proc.clock.day.isoformat(), "attendee_ids": people}
    )
    assert r.status_code == 400 and r.json()["field"] == "attendee_ids.2"


def test_a_failed_vote_leaves_the_case_in_township_decision(proc):
    proc.to_decision()
    sitting = _open(proc)
    # 1 for of 3 present is not more than half.
    sitting = _record(proc, sitting, votes=(1, 1, 1))
    assert _item(sitting, proc)["status"] == "failed"
    r = _confirm(proc, sitting)
    assert r.status_code == 200
    assert _item(r.json(), proc)["status"] == "carried_over"
    assert proc.refresh()["state"] == "township_decision"
    assert not TownshipDecision.objects.filter(case_id=proc.case_id, effective=True).exists()
    r = proc.api["review_member"].get(f"/cases/{proc.case_id}/sitting")
    assert r.status_code == 404  # undecided, on no agenda: ready for the next sitting
    # The next sitting: 2 of 3 is a majority, and it takes effect.
    proc.clock.advance(1)
    nxt = _open(proc)
    nxt = _record(proc, nxt, votes=(2, 1, 0))
    assert _item(nxt, proc)["status"] == "passed"
    assert _confirm(proc, nxt).status_code == 200
    assert proc.refresh()["state"] == "notice"


def test_a_vote_must_count_every_attendee(proc):
    proc.to_decision()
    sitting = _open(proc)
    r = _record(proc, sitting, votes=(2, 0, 0), status=400)
    assert r["code"] == "vote_count" and r["field"] == "votes_for"


def test_a_sitting_of_another_township_is_404(proc, make_user):
    proc.to_decision()
    sitting = _open(proc)
    _record(proc, sitting)
    leader = make_user(Role.REVIEW_LEADER, GUANGHUA, "leader_guanghua")
    api = ApiClient(leader)
    for r in (
        api.get(f"/sittings/{sitting['id']}"),
        api.post(f"/sittings/{sitting['id']}/confirm", {"version": sitting["version"]}),
        api.post(f"/sittings/{sitting['id']}/agenda", {"case_id": proc.case_id}),
    ):
        assert r.status_code == 404 and r.json()["code"] == "sitting_not_found"
    assert api.get("/sittings").json()["items"] == []
    assert ApiClient(proc.u["village_officer"]).get(f"/sittings/{sitting['id']}").status_code == 404
    assert proc.refresh()["state"] == "township_decision"


def test_a_stale_sitting_is_a_409_and_a_confirmed_one_is_closed(proc):
    proc.to_decision()
    sitting = _open(proc)
    seen = sitting["version"]
    sitting = _record(proc, sitting)
    r = _confirm(proc, sitting, version=seen)
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert _confirm(proc, sitting).status_code == 200
    r = _confirm(proc, sitting, version=sitting["version"] + 1)
    assert r.status_code == 409 and r.json()["code"] == "sitting_confirmed"


def test_a_case_waits_on_one_sitting_at_a_time(proc):
    proc.to_decision()
    first = _open(proc)
    _record(proc, first, votes=None)
    second = _open(proc)
    r = proc.api["review_member"].post(f"/sittings/{second['id']}/agenda", {"case_id": proc.case_id})
    assert r.status_code == 409 and r.json()["code"] == "on_other_agenda"
    assert SittingItem.objects.filter(case_id=proc.case_id).count() == 1


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_the_review_leader_confirms_a_sitting(proc, users, role):
    proc.to_decision()
    sitting = _open(proc)
    _record(proc, sitting)
    try:
        services.confirm_sitting(user=users[role], sitting=sitting["id"], expected_version=None)
    except PermissionDenied:
        assert role != "review_leader"
    except NotFound:
        assert role in ("village_officer", "dept_liaison", "finance")  # reaches no sitting
    except SafetynetError as err:  # pragma: no cover - reported
        raise AssertionError(f"{role}: {err.message}") from err
    else:
        assert role == "review_leader"
        assert Case.objects.get(pk=proc.case_id).state == "notice"
