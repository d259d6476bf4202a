"""Benchmark of the assistance plan's suggestions for a whole area at once.

    uv run python bench/assistance.py                      # 20,000 households, temp SQLite file
    uv run python bench/assistance.py --households 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_bench uv run python bench/assistance.py

On the configured database (`DATABASE_URL`), or by default a fresh SQLite file in a temp data
directory, it generates the register of bench/review.py (`--households` households of one or two
members in 100 villages of ten townships, each with a 低保 row in force), adds the member rows of
each entitlement and varied member facts (every 5th person a full-time student, every 7th able to
work without income, every 11th with a grade-1 or grade-3 disability, every 13th a major
illness), uploads a 住建 file grading every 9th head's home D, then (timed) runs
`assistance.batch.suggest_for_area` for each township in turn as the county civil-affairs office,
and once more over the county (nothing new: the idempotence check). The database must hold no
households. Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review import generate, log, setup  # noqa: E402  (bench/review.py: the same register)


class _Named(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


def enrich(user) -> dict:
    """Member rows of each entitlement, varied member facts, a 住建 file."""
    from django.db import transaction

    from safetynet.accounts.models import User
    from safetynet.entitlements.models import Entitlement, EntitlementMember
    from safetynet.registry.models import Membership, Person
    from safetynet.verification import services as exchange

    with transaction.atomic():
        rows = dict(Entitlement.objects.values_list("household_id", "pk"))
        EntitlementMember.objects.bulk_create(
            [
                EntitlementMember(entitlement_id=rows[hid], person_id=pid, category="dibao")
                for hid, pid in Membership.objects.values_list("household_id", "person_id")
            ],
            batch_size=5000,
        )
        ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        Person.objects.filter(pk__in=ids[::5]).update(fulltime_education=True, labour_capacity="full")
        Person.objects.filter(pk__in=ids[::7]).update(labour_capacity="full")
        Person.objects.filter(pk__in=ids[::11]).update(disability_kind="physical", disability_grade=1)
        Person.objects.filter(pk__in=ids[1::22]).update(disability_kind="physical", disability_grade=3)
        Person.objects.filter(pk__in=ids[::13]).update(major_illness=True)
    heads = Person.objects.filter(pk__in=Membership.objects.filter(relation="head").values("person_id"))
    lines = ["id_number,name,grade,assessed_on,as_of"]
    for i, p in enumerate(heads.order_by("pk").iterator()):
        if i % 9 == 0:
            lines.append(f"{p.id_number},某,D,2026-03-01,2026-05-01")
    admin = User.objects.create_user(username="bench_admin", password="x", role="admin", area=user.area)
    out = exchange.upload_department_file(
        user=admin, source="housing", file=_Named("\n".join(lines).encode(), "h.csv"), filename="h.csv"
    )
    assert out.upload.loaded, out.upload.message
    return {"graded_d": len(lines) - 1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=20260701)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="sn-bench-assistance-")
    setup(Path(tmp.name))
    from django.db import connection
    from django.db.models import Count

    from safetynet.assistance.batch import suggest_for_area
    from safetynet.assistance.models import Measure
    from safetynet.core import clock
    from safetynet.registry.models import Area, Household

    if Household.objects.exists():
        sys.exit("bench/assistance.py needs a database without households")
    on = clock.today()
    log(f"database: {connection.vendor}; generating {args.households:,} households …")
    t0 = time.monotonic()
    reg = generate(args.households, args.seed, on)
    extra = enrich(reg["user"])
    generate_seconds = time.monotonic() - t0
    log(f"generated in {generate_seconds:.1f} s ({reg['members']:,} members); suggesting …")
    townships = list(
        Area.objects.filter(level="township", children__households__isnull=False).distinct().order_by("code")
    )
    per_township = []
    started = time.monotonic()
    for t in townships:
        t1 = time.monotonic()
        out = suggest_for_area(user=reg["user"], area_code=t.code, on=on)
        per_township.append(round(time.monotonic() - t1, 3))
        log(f"{t.name}: {out} in {per_township[-1]:.2f} s")
    seconds = time.monotonic() - started
    t2 = time.monotonic()
    again = suggest_for_area(user=reg["user"], area_code="141029", on=on)
    again_seconds = time.monotonic() - t2
    by_kind = dict(Measure.objects.order_by().values_list("kind").annotate(n=Count("pk")))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "households": args.households,
                "members": reg["members"],
                "seconds": round(seconds, 3),
                "households_per_second": round(args.households / seconds, 1),
                "township_seconds_max": max(per_township),
                "measures": Measure.objects.count(),
                "measures_by_kind": by_kind,
                "graded_d": extra["graded_d"],
                "county_rerun_seconds": round(again_seconds, 3),
                "county_rerun_new_measures": again["measures"],
                "peak_rss_mb": round(peak, 1),
                "generate_seconds": round(generate_seconds, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
