"""Reproducibility: a report is computed only from the timeline known at its cutoff, so producing a
month again gives the same figures; an approved month never changes, and a correction learned
later (a retroactive close, a backdated admission) appears in the next month's report (更正)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safetynet.accounts.roles import Role
from safetynet.reports import figures, selectors, services
from tests.conftest import CHANGNING
from tests.reports.conftest import D, line_of, month_of, open_, stop, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    return make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_cn")


@pytest.fixture
def civil(make_user):
    return make_user(Role.COUNTY_CIVIL, "141029", "county_mz")


def approve(clerk, civil, month):
    report, _ = services.prepare_report(user=clerk, township=CHANGNING, month=month)
    services.submit_report(user=clerk, report=report)
    return services.approve_report(user=civil, report=report)


def test_a_late_death_leaves_the_approved_month_unchanged_and_corrects_it_next_month(
    clerk, civil, make_household
):
    dies, stays = make_household(), make_household()
    open_(dies, D(2026, 2, 1), terms(amount="600"))
    open_(stays, D(2026, 5, 1), terms(amount="300"))
    april, may = approve(clerk, civil, "2026-04"), approve(clerk, civil, "2026-05")
    stored = dict(may.figures)
    assert [x["household_id"] for x in stored["households"]] == [stays.pk]

    stop(dies, D(2026, 4, 15), reason="户主于4月14日死亡，6月核实")  # learned in June, closes April
    open_(make_household(), D(2026, 5, 1), terms("tekun", "900"))  # a backdated admission

    may.refresh_from_db()
    assert may.figures == stored and may.digest == figures.digest(stored)
    assert selectors.recompute(may) == stored  # produced again at its cutoff: identical
    assert line_of(month_of("2026-05"), dies)["kind"] == "stopped"  # as known now, it differs

    june, _ = services.prepare_report(user=clerk, township=CHANGNING, month="2026-06")
    fixes = june.figures["corrections"]
    assert [
        (c["month"], c["reported"], c["corrected"]["kind"]) for c in fixes if c["household_id"] == dies.pk
    ] == [("2026-05", None, "stopped")]
    assert next(c for c in fixes if c["household_id"] == dies.pk)["amount_delta"] == "-600.00"
    assert {c["corrected"]["kind"] for c in fixes} == {"stopped", "new"}
    assert line_of(june.figures, dies) is None  # June itself: the household was gone before
    assert april.figures["corrections"] == [] and len(fixes) == 2

    services.submit_report(user=clerk, report=june)
    services.approve_report(user=civil, report=june)
    july, _ = services.prepare_report(user=clerk, township=CHANGNING, month="2026-07")
    assert july.figures["corrections"] == []  # reported once, not again


def test_a_correction_of_a_correction_is_reported_against_what_was_last_reported(
    clerk, civil, make_household
):
    h = make_household()
    open_(h, D(2026, 2, 1), terms(amount="600"))
    approve(clerk, civil, "2026-04")
    stop(h, D(2026, 5, 1))  # learned after April's approval: May's report carries it as May's own line
    may = approve(clerk, civil, "2026-05")
    assert line_of(may.figures, h)["kind"] == "stopped" and may.figures["corrections"] == []
    stop(h, D(2026, 3, 20), reason="实际3月死亡")  # an earlier end still: April now shows the stop
    june, _ = services.prepare_report(user=clerk, township=CHANGNING, month="2026-06")
    got = {c["month"]: (c["reported"] or {}).get("kind") for c in june.figures["corrections"]}
    assert got == {"2026-04": None, "2026-05": "stopped"}
    may_fix = next(c for c in june.figures["corrections"] if c["month"] == "2026-05")
    assert may_fix["corrected"] is None


def _at(monkeypatch, moment: dt.datetime):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_never_prepared_month_is_the_same_whenever_produced_after_its_cutoff(
    clerk, make_household, monkeypatch
):
    """Its cutoff is the end of the month after it: a write before counts, one after does not."""
    tz = timezone.get_current_timezone()
    h, late, later = make_household(), make_household(), make_household()
    _at(monkeypatch, dt.datetime(2026, 3, 5, 9, tzinfo=tz))
    open_(h, D(2026, 3, 1))
    _at(monkeypatch, dt.datetime(2026, 4, 20, 9, tzinfo=tz))
    open_(late, D(2026, 3, 1))  # decided in April for March: before the cutoff (1 May)
    first, _, provisional = selectors.month_figures(clerk, CHANGNING, "2026-03")
    assert provisional  # produced before its cutoff: may still change
    _at(monkeypatch, dt.datetime(2026, 5, 2, 9, tzinfo=tz))
    settled, report, provisional = selectors.month_figures(clerk, CHANGNING, "2026-03")
    assert report is None and not provisional
    assert {x["household_id"] for x in settled["households"]} == {h.pk, late.pk}
    open_(later, D(2026, 3, 1))  # backdated after the cutoff
    stop(h, D(2026, 3, 10), reason="3月9日死亡，5月核实")
    _at(monkeypatch, dt.datetime(2026, 11, 30, 9, tzinfo=tz))
    assert selectors.month_figures(clerk, CHANGNING, "2026-03")[0] == settled
