"""Query-count guards on every page of the load test (bench/web.py's `PAGES`): a page's queries do
not grow with the data. Each page is opened as its role on a small and a four times larger
generated province, and must take exactly the same number of queries on both (its bound below)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.models import User
from safetynet.demo.province import bench_targets, load_province

ON = dt.date(2026, 6, 1)
_spec = importlib.util.spec_from_file_location("bench_web", Path(__file__).parents[2] / "bench" / "web.py")
bench_web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_web)

# The most queries each page may take, whatever the data size (the same on both sizes below). A
# list reads the areas in reach once for all its area filters and selects (web.selectors.areas_in_reach);
# a search that finds less than a page counts its households without a query (lists.PageFirstPaginator).
BOUNDS = {
    "search_name": 6,
    "search_id": 5,
    "search_pinyin": 5,
    "household": 13,
    "leads": 6,
    "cases": 8,
    "case": 16,  # one query per kind of record the case holds (cases.selectors.dossier)
    "roster": 12,
    "statistics": 8,
    "dashboard": 28,  # computed live here (no summary job ran): grouped aggregates, none per row
}


def _open_pages(client) -> dict[str, int]:
    targets = bench_targets()
    counts = {}
    for name, url, role in bench_web.PAGES:
        user = User.objects.get(username=bench_web.ACCOUNTS[role].format(**targets))
        client.force_login(user)
        path = url.format(**{k: urllib.parse.quote(str(v)) for k, v in targets.items()})
        client.get(path)  # a first request fills the per-process caches (parameters, areas)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.fixture(scope="module")
def small_counts():
    return {}


@pytest.mark.parametrize("households", [60, 240])
def test_every_benchmarked_page_takes_the_same_bounded_number_of_queries_whatever_the_size(
    db, client, households, small_counts
):
    load_province(households=households, counties=1, on=ON, workers=1, chunk_households=60, seed=11)
    counts = _open_pages(client)
    assert set(counts) == {name for name, _, _ in bench_web.PAGES}
    over = {name: n for name, n in counts.items() if n > BOUNDS.get(name, 20)}
    assert not over, counts
    if small_counts:
        assert counts == small_counts  # the larger province: exactly the same count on every page
    else:
        small_counts.update(counts)
