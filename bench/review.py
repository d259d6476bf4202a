"""Benchmark of the yearly review campaign over a generated register of recipient households.

    uv run python bench/review.py                       # 100,000 households, temp SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_bench uv run python bench/review.py
    uv run python bench/review.py --households 20000 --no-verify

On the configured database (`DATABASE_URL`), or by default a fresh SQLite file in a temp data
directory, it migrates, generates set-based (bulk_create, one SQL UPDATE for the heads) a register
of `--households` households of one or two members in ten townships of the county, each with a
低保 entitlement row in force, then (timed) opens a review campaign over the county as the county
civil-affairs office and runs its background work in-process: the review cases township by
township (bulk, with transitions, deadlines and one audit record per case on the hash chain) and,
unless `--no-verify`, the batch verification (start re-verification, per-member results,
complete re-verification) up to the township's decision. The database must hold no households
(a fresh SQLite file, or an empty PostgreSQL database). Progress goes to stderr; the last line of
stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup(data_dir: Path) -> None:
    os.environ.setdefault("SAFETYNET_DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(n: int, seed: int, on: dt.date) -> dict:
    """The register: `n` households in 10 villages of each of 10 townships, 1–2 members each, a
    低保 row in force from about half a year before `on`."""
    import random

    from django.db import connection, transaction

    from safetynet.accounts.models import User
    from safetynet.core.resident_id import make_resident_id
    from safetynet.entitlements.models import Entitlement
    from safetynet.registry.areas import VillageSpec, load_county, load_villages
    from safetynet.registry.fields import blind_index
    from safetynet.registry.inputs import name_initials
    from safetynet.registry.models import Area, Household, Membership, Person

    rng = random.Random(seed)
    with transaction.atomic():
        county = load_county("141029")
        townships = list(Area.objects.filter(level=Area.Level.TOWNSHIP, parent=county).order_by("code"))[:10]
        load_villages(
            [
                VillageSpec(f"{t.code}{200 + i:03d}", f"{t.name}第{i + 1}村", t.code)
                for t in townships
                for i in range(10)
            ]
        )
        villages = list(
            Area.objects.filter(level=Area.Level.VILLAGE, code__startswith="141029").order_by("code")
        )
        user = User.objects.create_user(
            username="bench_county_mz", password="x", role="county_civil", area=county
        )
    sizes = [1 if rng.random() < 0.5 else 2 for _ in range(n)]
    start = on - dt.timedelta(days=200)
    with transaction.atomic():
        households = Household.objects.bulk_create(
            [
                Household(village=villages[i % len(villages)], address=f"第{i}号", hukou="rural")
                for i in range(n)
            ],
            batch_size=2000,
        )
        people, k = [], 0
        for size in sizes:
            for j in range(size):
                k += 1
                birth = dt.date(1950, 1, 1) + dt.timedelta(days=7 * (k // 1000))  # a distinct ID each
                number = make_resident_id("141029", birth, k % 1000)
                name = ("王", "李", "张", "刘")[k % 4] + ("大山", "秀英", "小明", "二河")[(k // 4) % 4]
                people.append(
                    Person(
                        id_number=number,
                        id_index=blind_index(number),
                        name=name,
                        name_initials=name_initials(name),
                        sex="M" if j == 0 else "F",
                        birth_date=birth,
                        labour_capacity="none",
                    )
                )
        seen, unique = set(), []
        for p in people:  # the generator may repeat an ID; the register cannot
            if p.id_index not in seen:
                seen.add(p.id_index)
                unique.append(p)
        persons = Person.objects.bulk_create(unique, batch_size=2000)
        memberships, it = [], iter(persons)
        for hh, size in zip(households, sizes, strict=True):
            for j in range(size):
                p = next(it, None)
                if p is None:
                    break
                memberships.append(
                    Membership(
                        household=hh, person=p, relation="head" if j == 0 else "spouse", joined_on=start
                    )
                )
        Membership.objects.bulk_create(memberships, batch_size=2000)
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE registry_household SET head_id = (SELECT person_id FROM registry_membership m "
                "WHERE m.household_id = registry_household.id AND m.relation = 'head')"
            )
        Entitlement.objects.bulk_create(
            [
                Entitlement(
                    household=hh,
                    valid_from=start,
                    category="dibao",
                    benefit_monthly=Decimal("560.00"),
                    basis="migrated",
                    decided_on=start,
                )
                for hh in households
            ],
            batch_size=2000,
        )
    return {"user": user, "members": len(memberships), "townships": len(townships), "villages": len(villages)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20260701)
    ap.add_argument("--chunk", type=int, default=2000, help="households per transaction")
    ap.add_argument("--no-verify", action="store_true", help="create the cases only")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="sn-bench-review-")
    setup(Path(tmp.name))
    from django.db import connection

    from safetynet.campaigns import services
    from safetynet.campaigns.models import Campaign
    from safetynet.cases.models import Case
    from safetynet.core import clock
    from safetynet.registry.models import Household

    if Household.objects.exists():
        sys.exit(
            "bench/review.py needs a database without households (a fresh SQLite file or an empty database)"
        )
    on = clock.today()
    log(f"database: {connection.vendor}; generating {args.households:,} households …")
    t0 = time.monotonic()
    reg = generate(args.households, args.seed, on)
    generate_seconds = time.monotonic() - t0
    log(f"generated in {generate_seconds:.1f} s ({reg['members']:,} members); opening the campaign …")

    import safetynet.campaigns.background as background
    import safetynet.campaigns.verification  # noqa: F401  (a worker has its modules loaded: not timed)

    background.start = lambda pk: None  # not queued to a worker: the run is timed in this process
    started = time.monotonic()
    campaign = services.open_campaign(
        user=reg["user"],
        name=f"{on.year}年度复核（基准测试）",
        area_code="141029",
        starts_on=on,
        ends_on=on + dt.timedelta(days=61),
    )
    opened = time.monotonic()
    services.run_campaign(campaign.pk, chunk=args.chunk, verify=not args.no_verify)
    seconds = time.monotonic() - started
    campaign = Campaign.objects.get(pk=campaign.pk)
    states = {
        s: Case.objects.filter(state=s).count() for s in ("accepted", "verification", "township_decision")
    }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"done in {seconds:.1f} s: {states}")
    print(
        json.dumps(
            {
                "households": args.households,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak, 1),
                "database": connection.vendor,
                "members": reg["members"],
                "cases_created": campaign.cases_created,
                "skipped": campaign.skipped,
                "verified": campaign.verified,
                "states": states,
                "open_seconds": round(opened - started, 3),
                "generate_seconds": round(generate_seconds, 1),
                "chunk": args.chunk,
                "verify": not args.no_verify,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
