"""A comparison whose process died is marked interrupted at the next start and said so on the
data-exchange page; a live run is left alone; a run past the staleness bound is interrupted
wherever it ran."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from safetynet.audit.models import AuditRecord
from safetynet.verification import selectors, storage
from safetynet.verification.comparison import mark_interrupted_runs, run_comparison
from safetynet.verification.models import ComparisonRun

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 5, 15)


def _killed_run() -> ComparisonRun:
    """The state a `safetynet compare` killed mid-way leaves: running, its workspace unlocked."""
    work = storage.private_dir(storage.sub("tmp") / "run-killed")
    (work / storage.LOCK).touch()
    return ComparisonRun.objects.create(
        engine="duckdb",
        trigger="command",
        host=socket.gethostname(),
        pid=999_999,
        workspace=storage.relative(work),
    )


def test_a_killed_run_is_marked_interrupted_when_the_next_run_starts(small_register):
    killed = _killed_run()
    run = run_comparison(on=ON).run
    killed.refresh_from_db()
    assert killed.status == "interrupted" and killed.finished_at is None and "重新运行" in killed.message
    assert run.status == "finished" and run.finished_at is not None
    audit = AuditRecord.objects.get(action="exchange.compare_interrupted")
    assert audit.object_id == str(killed.pk)


def test_a_live_run_is_left_running(small_register):
    with storage.workspace("run") as work:
        live = ComparisonRun.objects.create(
            engine="duckdb",
            trigger="command",
            host=socket.gethostname(),
            pid=1,
            workspace=storage.relative(work),
        )
        assert mark_interrupted_runs() == []
        assert not selectors.run_is_interrupted(live)
    live.refresh_from_db()
    assert live.status == "running"
    assert mark_interrupted_runs() == [live.pk]  # its workspace (and lock) went with its process


def test_a_run_past_the_staleness_bound_is_interrupted_on_any_host(settings):
    settings.COMPARISON_STALE_SECONDS = 3600
    old = ComparisonRun.objects.create(engine="spark", trigger="schedule", host="other-host", pid=5)
    recent = ComparisonRun.objects.create(engine="spark", trigger="schedule", host="other-host", pid=6)
    ComparisonRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert mark_interrupted_runs() == [old.pk]
    recent.refresh_from_db()
    assert recent.status == "running"  # another host's run: only the bound can tell


def test_a_run_that_fails_is_recorded_as_failed(small_register, monkeypatch):
    from safetynet.verification import comparison

    def boom(*args, **kwargs):
        raise RuntimeError("engine lost")

    monkeypatch.setattr(comparison, "rule_params", boom)
    with pytest.raises(RuntimeError):
        run_comparison(on=ON)
    run = ComparisonRun.objects.get()
    assert run.status == "failed" and run.finished_at is not None and "RuntimeError" in run.message
    assert list(storage.sub("tmp").iterdir()) == []


def test_the_exchange_page_says_a_run_was_interrupted(admin):
    killed = _killed_run()
    finished = ComparisonRun.objects.create(engine="duckdb", trigger="schedule", status="finished")
    runs = selectors.comparison_runs(admin)
    assert [r.pk for r in runs] == [finished.pk, killed.pk]
    assert [r.interrupted for r in runs] == [False, True]  # shown before the next start marks it
    html = render_to_string(
        "verification/uploads.html", {"sources": [], "uploads": [], "encodings": {}, "runs": runs}
    )
    assert html.count("已中断：比对进程已退出") == 1 and "已完成" in html


def test_runs_are_not_shown_to_those_who_do_not_exchange_data(users):
    ComparisonRun.objects.create(engine="duckdb", trigger="schedule", status="finished")
    assert selectors.comparison_runs(users["auditor"]) == []
