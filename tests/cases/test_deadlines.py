"""Working-day deadlines through the case: Spring Festival and National Day 2025 and 2026 with
their make-up Saturdays, the one extension, due-soon and overdue, the county dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.cases import selectors, services
from safetynet.cases.models import Case, InboxItem
from safetynet.core.errors import Conflict, PermissionDenied
from tests.api.conftest import ApiClient

D = dt.date


@pytest.mark.parametrize(
    "accepted, deadline",
    [
        (D(2025, 1, 20), D(2025, 2, 21)),  # Spring Festival 2025: 1/28–2/4 off, Sun 1/26 and Sat 2/8 worked
        (D(2025, 9, 22), D(2025, 10, 24)),  # National Day 2025: 10/1–10/8 off, Sun 9/28 and Sat 10/11 worked
        (D(2026, 2, 2), D(2026, 3, 6)),  # Spring Festival 2026: 2/15–2/23 off, Sat 2/14 and 2/28 worked
        (D(2026, 1, 26), D(2026, 2, 28)),  # ... the 20th working day is the make-up Saturday itself
        (D(2026, 9, 25), D(2026, 10, 29)),  # National Day 2026: 10/1–10/7 off, Sat 10/10 worked
    ],
)
def test_the_case_deadline_is_twenty_working_days_on_the_official_calendar(
    users, poor_household, clock, accepted, deadline
):
    clock.set(accepted)
    case, _ = services.accept_case(user=users["township_clerk"], household=poor_household)
    assert (case.deadline, case.deadline_provisional) == (deadline, False)


def test_a_make_up_saturday_counts_as_a_working_day_left(users, poor_household, clock):
    clock.set(D(2026, 1, 26))
    case, _ = services.accept_case(user=users["township_clerk"], household=poor_household)
    k = selectors.clock(case, D(2026, 2, 27))
    assert (k.remaining, k.due_soon, k.overdue) == (1, True, False)
    assert selectors.clock(case, D(2026, 2, 13)).remaining == 6  # 2/14, 2/24–2/27, 2/28
    assert selectors.clock(case, D(2026, 3, 2)).overdue


def test_a_year_without_official_data_gives_a_provisional_deadline(users, poor_household, clock):
    clock.set(D(2031, 12, 15))
    case, _ = services.accept_case(user=users["township_clerk"], household=poor_household)
    assert case.deadline_provisional is True
    body = ApiClient(users["township_clerk"]).get(f"/cases/{case.pk}").json()
    assert body["deadline_provisional"] is True


def test_the_deadline_is_extended_once_to_45_working_days_by_the_review_leader(users, poor_household, clock):
    clock.set(D(2026, 9, 1))
    case, _ = services.accept_case(user=users["township_clerk"], household=poor_household)
    with pytest.raises(PermissionDenied):
        services.request_extension(user=users["village_officer"], case=case, reason="x")
    ext = services.request_extension(user=users["township_clerk"], case=case, reason="申请人住院，无法入户")
    assert InboxItem.objects.filter(user=users["review_leader"], kind="extension").exists()
    with pytest.raises(PermissionDenied):
        services.decide_extension(user=users["review_member"], extension_id=ext.pk, approve=True)
    services.decide_extension(user=users["review_leader"], extension_id=ext.pk, approve=True)
    case.refresh_from_db()
    assert (case.deadline, case.extended) == (D(2026, 11, 9), True)
    with pytest.raises(Conflict):
        services.request_extension(user=users["township_clerk"], case=case, reason="再次延期")


def test_overdue_cases_are_counted_per_township_on_the_dashboard(
    users, poor_household, make_household, clock
):
    from tests.conftest import VILLAGE_C, member

    clock.set(D(2026, 9, 25))
    services.accept_case(user=users["township_clerk"], household=poor_household)
    other = make_household(VILLAGE_C, members=[member(name="郭光明")])
    clock.set(D(2026, 10, 12))
    services.accept_case(user=users["admin"], household=other)
    clock.set(D(2026, 10, 30))  # the first is one working day late; the second is not due yet
    rows = ApiClient(users["county_civil"]).get("/cases/dashboard").json()["items"]
    by_name = {r["name"]: r for r in rows}
    assert (by_name["昌宁镇"]["open"], by_name["昌宁镇"]["overdue"]) == (1, 1)
    assert (by_name["光华镇"]["open"], by_name["光华镇"]["overdue"]) == (1, 0)
    late = ApiClient(users["township_clerk"]).get("/cases", {"due": "overdue"}).json()["items"]
    assert [r["deadline"] for r in late] == ["2026-10-29"]
    counts = services.scan_deadlines()
    assert counts["overdue"] >= 1
    assert services.scan_deadlines()["overdue"] == 0  # idempotent
    assert InboxItem.objects.filter(user=users["village_officer"], kind="overdue").count() == 1


def test_an_archived_case_has_no_running_clock(proc, clock):
    proc.to_decision()
    proc.post("township_clerk", "/withdraw", {"version": proc.version, "reason": "撤回"})
    case = Case.objects.get(pk=proc.case_id)
    assert selectors.clock(case, D(2030, 1, 1)).overdue is False


def test_deadline_scan_command_reports_what_it_sent(users, poor_household, clock, capsys):
    import json

    from django.core.management import call_command

    clock.set(D(2026, 9, 25))
    services.accept_case(user=users["township_clerk"], household=poor_household)
    call_command("cases", "scan-deadlines", "--on", "2026-10-30")
    assert json.loads(capsys.readouterr().out)["overdue"] >= 1
    call_command("cases", "scan-deadlines", "--on", "2026-10-30")
    assert json.loads(capsys.readouterr().out)["overdue"] == 0


def test_the_case_list_shows_the_deadline_marked_provisional_and_extended(users, poor_household, clock):
    from django.test import Client

    clock.set(D(2031, 12, 15))  # no official calendar for 2032: the deadline is provisional
    case, _ = services.accept_case(user=users["township_clerk"], household=poor_household)
    web = Client()
    web.force_login(users["township_clerk"])

    def deadline_cell() -> str:
        page = web.get("/cases/?state=all").content.decode()
        row = page[page.index(case.reference) :]
        return row[row.index('data-label="办结时限">') :].split("</td>", 1)[0]

    cell = deadline_cell()
    assert case.deadline.isoformat() in cell and "暂定" in cell and "已延期" not in cell
    Case.objects.filter(pk=case.pk).update(extended=True, deadline_provisional=False)
    cell = deadline_cell()
    assert "已延期" in cell and "暂定" not in cell
    Case.objects.filter(pk=case.pk).update(deadline=None, extended=False)
    assert deadline_cell().endswith(">—")
