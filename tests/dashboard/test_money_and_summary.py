"""The dashboard's money (from the payroll through the real services) and its stored summaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.dashboard import figures, query, summary
from safetynet.dashboard.models import DashboardSummary
from tests.conftest import CHANGNING, VILLAGE_B
from tests.dashboard.test_dashboard import _links
from tests.payments.conftest import chain, recipient  # noqa: F401
from tests.payments.test_end_to_end import run_month
from tests.reports.conftest import stop
from tests.rosters.conftest import open_row

pytestmark = pytest.mark.django_db
D = dt.date


def month_of(rows, month):
    return next(r for r in rows if r["month"] == month)


def test_money_due_and_paid_per_month_and_category(recipient, chain, make_user, client_for):  # noqa: F811
    a = recipient(amount="600")
    recipient(VILLAGE_B, amount="480")
    run_month(chain, D(2026, 3, 1))
    run_month(chain, D(2026, 4, 1), fail={a.pk})
    office = make_user(Role.LEADING_OFFICE, "141029")
    now = figures.dashboard(office, query.parse(office, {"month": "2026-12"}))
    april = month_of(now["money"], "2026-04")
    assert (april["due"], april["paid"]) == (Decimal("1080.00"), Decimal("480.00"))
    assert april["categories"]["dibao"]["due_lines"] == 2
    assert month_of(now["money"], "2026-03")["paid"] == Decimal("1080.00")
    # April as it was at its end: these payrolls were approved and paid later (today), so nothing yet
    then = figures.dashboard(office, query.parse(office, {"month": "2026-04"}))
    assert month_of(then["money"], "2026-04")["due"] == Decimal("0.00")
    # the links open the lines they count
    c = client_for(office)
    links = dict(_links(c.get(reverse("reports:dashboard"), {"month": "2026-12"}).content.decode()))
    due = next(h for h in links if "kind=due" in h and "period=2026-04" in h)
    paid = next(h for h in links if "kind=paid" in h and "period=2026-04" in h)
    assert links[due] == Decimal("1080.00") and links[paid] == Decimal("480.00")
    assert c.get(due).context["page"].paginator.count == 2
    assert c.get(due).context["amount"] == Decimal("1080.00")
    assert c.get(paid).context["amount"] == Decimal("480.00")
    # a township sees its own money only (both households are in 昌宁镇): the same here
    clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING, "dash_clerk")
    mine = figures.dashboard(clerk, query.parse(clerk, {"month": "2026-12"}))
    assert month_of(mine["money"], "2026-04")["due"] == Decimal("1080.00")


def test_stored_summaries_are_read_labelled_and_only_for_their_day(roster, make_household, make_user, today):
    office = make_user(Role.LEADING_OFFICE, "141029")
    q = query.parse(office, {})
    live = figures.dashboard(office, q)
    assert live["from_summary"] is False
    assert summary.refresh() == 2 * 10  # ten townships, this month and the last
    stored = figures.dashboard(office, q)
    assert stored["from_summary"] is True and stored["as_of"] is not None
    for key in ("stock", "flows", "money", "cases", "leads"):
        assert stored[key] == live[key], key
    clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING)
    assert figures.dashboard(clerk, query.parse(clerk, {}))["stock"]["total"]["households"] == 2
    # a change after the refresh shows once the job runs again; until then the time says how old
    stop(roster["wang"], D(2026, 5, 20))
    assert figures.dashboard(office, q)["stock"]["total"]["households"] == 3
    summary.refresh()
    assert figures.dashboard(office, q)["stock"]["total"]["households"] == 2
    # a summary computed for another day is not today's
    DashboardSummary.objects.update(day=D(2026, 5, 31))
    assert figures.dashboard(office, q)["from_summary"] is False
    # the filters still apply to stored figures
    open_row(make_household(VILLAGE_B), D(2026, 5, 1), "tekun", "900")
    summary.refresh()
    tekun = figures.dashboard(office, query.parse(office, {"category": "tekun"}))
    assert tekun["from_summary"] and tekun["stock"]["total"]["households"] == 2
