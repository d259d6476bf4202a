"""The provisional statistics of a month still open: a summary recomputed by the job and read
with its time, so a page of the whole county costs a few queries however many rows
(reports/statistics.py, docs/scale.md)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safetynet.accounts.roles import Role
from safetynet.reports import statistics
from safetynet.reports.models import ProvisionalStatistics
from tests.conftest import CHANGNING
from tests.reports.conftest import stop
from tests.reports.test_statistics import cell, chain, roll  # noqa: F401  (fixtures)


def test_a_reading_stores_the_summary_and_the_next_reads_it_with_its_time(roll, make_user):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    first = statistics.read(county, "2026-05", CHANGNING)
    stored = ProvisionalStatistics.objects.get(township__code=CHANGNING, month=dt.date(2026, 5, 1))
    assert first["provisional"] is True and first["as_of"] == stored.computed_at
    stop(roll["b"], dt.date(2026, 5, 1), reason="死亡")
    again = statistics.read(county, "2026-05", CHANGNING)
    assert again["townships"] == first["townships"] and again["as_of"] == first["as_of"]  # the summary, labelled
    statistics.refresh_provisional()  # the job
    after = statistics.read(county, "2026-05", CHANGNING)
    assert cell(after["townships"][0], "dibao")["households"] == cell(first["townships"][0], "dibao")["households"] - 1
    assert after["as_of"] > first["as_of"]


def test_a_summary_older_than_twice_the_refresh_interval_is_recomputed_on_reading(roll, make_user, settings):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    first = statistics.read(county, "2026-05", CHANGNING)
    stop(roll["b"], dt.date(2026, 5, 1), reason="死亡")
    old = timezone.now() - dt.timedelta(minutes=2 * settings.SAFETYNET_STATISTICS_REFRESH_MINUTES + 1)
    ProvisionalStatistics.objects.update(computed_at=old)  # the job has stopped
    again = statistics.read(county, "2026-05", CHANGNING)
    assert cell(again["townships"][0], "dibao")["households"] == cell(first["townships"][0], "dibao")["households"] - 1


def test_the_county_page_reads_every_township_in_the_same_few_queries(roll, make_user):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    statistics.refresh_provisional()
    with CaptureQueriesContext(connection) as computed:
        ProvisionalStatistics.objects.all().delete()
        statistics.read(county, "2026-05")
    with CaptureQueriesContext(connection) as stored:
        stats = statistics.read(county, "2026-05")
    assert len(stats["townships"]) == 10
    assert len(stored) <= 3 and len(computed) <= 10
