"""Benchmark of the leading group's dashboard over a large roster.

    uv run python bench/dashboard.py [--households 700000] [--connections 20] [--requests 200]

On the configured database (`DATABASE_URL`, else SQLite in `SAFETYNET_DATA_DIR`, default
`bench/.cache/payroll-data`), the roster of `bench/payroll.py` is built once if missing (N
one-person recipient households with their entitlement rows, members and memberships under the
county's ten townships; set-based, in a child process), and on PostgreSQL the planner's statistics
are gathered (`ANALYZE`). Then, as the county's leading-group office:

- `live_seconds`: the dashboard of the current month computed live (`dashboard.figures`, every
  figure's grouped SQL), the median of three;
- `refresh_seconds`: the refresh job (`dashboard.summary.refresh`: every township, this month and
  the last, one grouped pass each);
- the page `/reports/dashboard/` through Django's test client (middleware, template, the JSON for
  the charts) read from the summaries, `--requests` requests from `--connections` threads at once
  (one database connection each): `page_p50_ms`, `page_p95_ms`, `errors`.

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "bench" / ".cache" / "payroll-data"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=700_000)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from safetynet.accounts.models import User
    from safetynet.core import clock
    from safetynet.dashboard import figures, query, summary
    from safetynet.dashboard.models import DashboardSummary
    from safetynet.entitlements.models import Entitlement
    from safetynet.registry.models import Area

    call_command("migrate", verbosity=0)
    if Entitlement.objects.count() < args.households:
        log(f"building the roster ({args.households:,} households) …")
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "payroll.py"),
                "--generate-only",
                "--households",
                str(args.households),
            ],
            check=True,
        )
    if connection.vendor == "postgresql":
        # The planner's statistics after a bulk load (autovacuum would gather them later): without
        # them PostgreSQL estimates one village under the county and nests loops, 10× slower.
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    county = Area.objects.get(level="county")
    user, _ = User.objects.get_or_create(
        username="bench_leading_office", defaults={"role": "leading_office", "area": county}
    )
    q = query.parse(user, {})
    DashboardSummary.objects.all().delete()  # live: no summaries
    live = []
    for _ in range(3):
        t0 = time.perf_counter()
        data = figures.dashboard(user, q)
        live.append(time.perf_counter() - t0)
    log(
        f"live: {statistics.median(live):.2f} s, households on the roll {data['stock']['total']['households']:,}"
    )
    t0 = time.perf_counter()
    written = summary.refresh()
    refresh = time.perf_counter() - t0
    log(f"refresh: {refresh:.2f} s ({written} summaries)")
    connection.close()

    signed_in = Client(HTTP_HOST="localhost")
    signed_in.force_login(user)
    cookies = signed_in.cookies
    t0 = time.perf_counter()
    signed_in.get("/reports/dashboard/")  # warm-up: the first page builds the static files' state
    log(f"first page: {time.perf_counter() - t0:.2f} s")
    connection.close()

    def one(_):
        c = Client(HTTP_HOST="localhost")
        c.cookies = cookies
        t = time.perf_counter()
        r = c.get("/reports/dashboard/")
        ms = (time.perf_counter() - t) * 1000
        return ms, r.status_code == 200 and b"dashboard-summary" in r.content

    with ThreadPoolExecutor(args.connections) as pool:
        results = list(pool.map(one, range(args.requests)))
    times = sorted(ms for ms, _ in results)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    out = {
        "database": connection.vendor,
        "households": data["stock"]["total"]["households"],
        "day": clock.today().isoformat(),
        "live_seconds": round(statistics.median(live), 3),
        "refresh_seconds": round(refresh, 3),
        "connections": args.connections,
        "requests": args.requests,
        "page_p50_ms": round(statistics.median(times), 1),
        "page_p95_ms": round(p95, 1),
        "errors": sum(1 for _, ok in results if not ok),
        "load": os.getloadavg()[0],
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
