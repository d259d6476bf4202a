"""待办: the steps a user can act on now, derived from the cases, leads and sittings of their area;
a task is gone once its step is done. The inbox stays the notifications (通知)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.roles import Perm
from safetynet.cases import services, workflow
from safetynet.cases.tasks_selectors import tasks_for
from tests.cases.conftest import Proc
from tests.cases.test_web import login
from tests.conftest import GUANGHUA, VILLAGE_A, member


def _groups(user, today) -> dict[str, list[str]]:
    return {g.key: [t.title for t in g.tasks] for g in tasks_for(user, today).groups}


def test_the_state_work_mapping_names_real_permissions():
    assert {str(p) for p in workflow.STATE_WORK.values()} <= {p.value for p in Perm}
    assert set(workflow.STATE_WORK) == set(workflow.OPEN)


def test_a_new_lead_is_the_clerks_task_until_accepted_then_the_investigation_is(proc, users, clock):
    clerk, officer, leader = users["township_clerk"], users["village_officer"], users["review_leader"]
    lead, _ = services.file_lead(
        user=officer,
        channel="grassroots",
        village_code=VILLAGE_A,
        summary="户主失业",
        household_id=proc.household.pk,
    )
    assert [t for t in _groups(clerk, clock.day)["leads"] if lead.reference in t]
    assert "leads" not in _groups(officer, clock.day)  # an officer files leads, does not accept them
    case, _ = services.accept_case(user=clerk, household=proc.household.pk, lead_ids=[lead.pk])
    clerk_tasks = _groups(clerk, clock.day)
    assert "leads" not in clerk_tasks  # the lead's step is done
    assert [t for t in _groups(officer, clock.day)["accepted"] if case.reference in t]
    assert "accepted" not in _groups(leader, clock.day)  # the leader does not investigate
    proc.case_id = case.pk
    proc.refresh()
    proc.fire("village_officer", "start_investigation")
    officer_tasks = _groups(officer, clock.day)
    assert "accepted" not in officer_tasks and [
        t for t in officer_tasks["investigation"] if case.reference in t
    ]


def test_tasks_stay_in_the_users_area(proc, users, make_user, clock):
    proc.accept()
    elsewhere = make_user("township_clerk", GUANGHUA, "clerk_guanghua")
    assert tasks_for(elsewhere, clock.day).count == 0
    assert tasks_for(users["township_clerk"], clock.day).count == 1  # investigate: the clerk may too


def test_the_sitting_awaits_the_leaders_confirmation_and_the_notice_its_end(proc, users, clock):
    proc.to_decision()
    leader, clerk = users["review_leader"], users["township_clerk"]
    assert "township_decision" in _groups(users["review_member"], clock.day)
    sitting = proc.sitting()
    body = {"case_id": proc.case_id, "version": proc.version, "action": "confirm"}
    body.update(votes_for=len(sitting["attendees"]), votes_against=0, abstentions=0)
    sitting = proc.ok(proc.api["review_member"].post(f"/sittings/{sitting['id']}/decisions", body))
    assert len(_groups(leader, clock.day)["sittings"]) == 1
    proc.ok(
        proc.api["review_leader"].post(f"/sittings/{sitting['id']}/confirm", {"version": sitting["version"]})
    )
    assert "sittings" not in _groups(leader, clock.day)
    assert proc.refresh()["state"] == "notice"
    assert "notice" not in _groups(clerk, clock.day)  # nothing to do while the notice runs
    clock.advance(30)
    notice_tasks = tasks_for(clerk, clock.day).groups
    notice = next(g for g in notice_tasks if g.key == "notice")
    assert notice.total == 1 and "可结束公示" in notice.tasks[0].note


def test_overdue_cases_come_first_on_the_home_page(proc, users, clock):
    proc.accept()
    officer = users["village_officer"]
    late = dt.date(2026, 12, 31)
    tasks = tasks_for(officer, late)
    assert tasks.overdue == 1 and tasks.due_soon[0].overdue
    clock.set(late)
    html = login(officer).get("/").content.decode()
    assert "我的待办" in html and "已超期" in html and "待开始入户调查" in html


def test_the_tasks_page_lists_groups_with_links_and_reads_a_fixed_number_of_queries(
    users, make_household, clock
):
    clerk = login(users["township_clerk"])

    def household(i):
        return make_household(VILLAGE_A, members=[member("head", name=f"李{'一二三四五六'[i]}")])

    first = Proc(users, household(0), clock)
    first.accept()
    services.file_lead(
        user=users["village_officer"],
        channel="grassroots",
        village_code=VILLAGE_A,
        summary="新情况",
        household_id=household(1).pk,
    )
    with CaptureQueriesContext(connection) as before:
        page = clerk.get("/cases/tasks/")
    html = page.content.decode()
    assert page.status_code == 200 and "待办" in html
    assert f"/cases/{first.case_id}/" in html and "/cases/leads/" in html
    for i in range(2, 6):
        Proc(users, household(i), clock).accept()
    with CaptureQueriesContext(connection) as after:
        html = clerk.get("/cases/tasks/").content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert html.count("待开始入户调查") >= 5


def test_the_inbox_is_the_notifications_and_stays_markable(proc, users):
    proc.accept()
    officer = login(users["village_officer"])
    page = officer.get("/cases/inbox/").content.decode()
    assert "<h1>通知</h1>" in page and "标为已读" in page
