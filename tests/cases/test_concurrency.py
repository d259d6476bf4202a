"""Two reviewers decide the same case at once: one succeeds, the other gets a clear 409.
Real concurrent transactions on separate connections (threads), on PostgreSQL and SQLite."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from safetynet.accounts.roles import Role
from safetynet.cases import services
from safetynet.cases.models import TownshipDecision
from safetynet.core.errors import Conflict
from tests.cases.conftest import Proc


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins_the_other_gets_a_conflict(
    flushable_audit_trail, users, poor_household, clock, make_user
):
    p = Proc(users, poor_household, clock)
    p.to_decision()
    version = p.version
    second = make_user(Role.REVIEW_MEMBER, username="reviewer_two")
    proposal = services.propose(user=users["review_leader"], case=p.case_id)
    barrier = threading.Barrier(2)
    outcomes = {}

    def call(user):
        # The test database on SQLite is in memory with a shared cache, which answers "table is
        # locked" at once instead of waiting like the file database in service (timeout 20 s):
        # wait here as SQLite's busy timeout would. PostgreSQL needs none of this.
        for _ in range(200):
            try:
                return services.record_township_decision(
                    user=user,
                    case=p.case_id,
                    expected_version=version,
                    action="confirm",
                    assessment_id=proposal.pk,
                    panel="三人",
                )
            except OperationalError as err:
                if connection.vendor != "sqlite" or "locked" not in str(err):
                    raise
                time.sleep(0.02)
        raise AssertionError("SQLite stayed locked")

    def decide(name, user):
        try:
            barrier.wait(timeout=10)
            call(user)
            outcomes[name] = "ok"
        except Conflict as err:
            outcomes[name] = err.code
        except Exception as err:  # noqa: BLE001 — reported in the assertion
            outcomes[name] = repr(err)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=("a", users["review_leader"])),
        threading.Thread(target=decide, args=("b", second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["ok", "stale_version"], outcomes
    assert TownshipDecision.objects.filter(case_id=p.case_id).count() == 1


def test_a_stale_version_is_a_409_with_a_clear_message(proc):
    proc.to_decision()
    stale = proc.version
    proc.decide()
    r = proc.api["review_member"].post(
        f"/cases/{proc.case_id}/township-decision", {"version": stale, "action": "confirm", "panel": "x"}
    )
    assert r.status_code == 409
    assert r.json() == {
        "code": "stale_version",
        "message": "该案件已被他人处理或修改，请刷新后重试。",
        "field": "version",
    }


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_stopping_the_same_household_at_once_one_wins(
    flushable_audit_trail, users, recipient, clock, make_user
):
    """A change, review or stop: the same optimistic lock; exactly one decision, one letter."""
    from safetynet.cases.models import ChangeDecision, Letter
    from tests.cases.conftest import Dyn

    d = Dyn(users, recipient, clock)
    d.to_decision()
    version = d.data["version"]
    second = make_user(Role.REVIEW_MEMBER, username="reviewer_stop_two")
    barrier = threading.Barrier(2)
    outcomes = {}

    def call(user):
        for _ in range(200):  # SQLite's shared-cache test database: wait as its busy timeout would
            try:
                return services.decide_change(
                    user=user, case=d.case_id, expected_version=version, action="stop", reason="收入超标"
                )
            except OperationalError as err:
                if connection.vendor != "sqlite" or "locked" not in str(err):
                    raise
                time.sleep(0.02)
        raise AssertionError("SQLite stayed locked")

    def decide(name, user):
        try:
            barrier.wait(timeout=10)
            call(user)
            outcomes[name] = "ok"
        except Conflict as err:
            outcomes[name] = err.code
        except Exception as err:  # noqa: BLE001 — reported in the assertion
            outcomes[name] = repr(err)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=("a", users["review_member"])),
        threading.Thread(target=decide, args=("b", second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["ok", "stale_version"], outcomes
    assert ChangeDecision.objects.filter(case_id=d.case_id).count() == 1
    assert Letter.objects.filter(case_id=d.case_id).count() == 1
