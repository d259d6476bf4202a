"""Benchmark of a month's payroll and its bank files over a county-sized roster.

    uv run python bench/payroll.py [--households 500000] [--workers N]

On the configured database (`DATABASE_URL`, else SQLite in `SAFETYNET_DATA_DIR`, default
`bench/.cache/payroll-data`), it builds once, in a child process and set-based (`INSERT … SELECT`
over a generated series, like the other benches build with vectorised code): villages under the
county's ten townships, and N recipient households of one person each with an entitlement row in
force from 2026-01 (85% 低保 at 300–700 yuan, 15% 特困 at 1,100–1,500 yuan as the member's own
amount) and a payee account (a real encrypted card number with its blind index, three banks).

Timed, in this process: each township's 2026-03 payroll generated through
`payments.services.generate_payroll` (set-based, with the flags), then every bank's disbursement
file written as CSV (GBK) through `payments.bank.write_bank_file` (decrypting every account).
With `--workers` (default: every core on PostgreSQL, 1 on SQLite) that many townships, then
that many bank files, at once in forked processes. Submission, approval and release between the
two are timed apart (`approve_seconds`). Earlier payrolls of the run are removed first (untimed),
so the run can be repeated.

Progress goes to stderr; the last line of stdout is one JSON object: `lines`, `seconds`
(generation + bank files), `peak_rss_mb` (`ru_maxrss` of the largest process), and the parts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("SAFETYNET_DATA_DIR", str(ROOT / "bench" / ".cache" / "payroll-data"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")

MONTH = dt.date(2026, 3, 1)
START = dt.date(2026, 1, 1)
BANKS = ("乡宁县农村信用合作联社", "中国邮政储蓄银行乡宁县支行", "中国农业银行乡宁县支行")
VILLAGES_PER_TOWNSHIP = 20
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英志强丽娟明华玉兰海军红梅淑珍桂芳"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup() -> None:
    import django

    django.setup()


# ---------------------------------------------------------------- the roster (child process)


def _series(vendor: str, n: int) -> str:
    if vendor == "postgresql":
        return f"SELECT generate_series(1, {n}) AS n"
    return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s"


def _insert(cur, model, values: dict[str, str], source: str) -> None:
    """INSERT INTO the model's table every column, each from an SQL expression over `source`."""
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id" or "id" in values]
    missing = set(columns) - set(values)
    if missing:
        raise SystemExit(f"bench: no value for {model.__name__}.{sorted(missing)}")
    cur.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values[c] for c in columns)} FROM ({source}) src"
    )


def generate(n: int) -> None:
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from safetynet.core.areas import configured_county
    from safetynet.entitlements.models import Entitlement, EntitlementMember
    from safetynet.payments.models import PayeeAccount
    from safetynet.registry.areas import VillageSpec, load_county, load_villages
    from safetynet.registry.fields import blind_index
    from safetynet.registry.models import Area, Household, Membership, Person

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    county = load_county(configured_county())
    townships = list(Area.objects.filter(level="township", code__startswith=county.code).order_by("code"))
    load_villages(
        [
            VillageSpec(f"{t.code}{200 + i:03d}", f"{t.name}试点{i + 1}村", t.code)
            for t in townships
            for i in range(VILLAGES_PER_TOWNSHIP)
        ]
    )
    villages = list(Area.objects.filter(level="village", code__startswith=county.code).order_by("code"))
    v = connection.vendor
    pg = v == "postgresql"
    true, false = ("TRUE", "FALSE") if pg else ("1", "0")
    empty_json = "'[]'::jsonb" if pg else "'[]'"
    date = (lambda d: f"DATE '{d.isoformat()}'") if pg else (lambda d: f"'{d.isoformat()}'")
    now = "CURRENT_TIMESTAMP"
    text = "TEXT" if pg else "TEXT"
    id_token = settings.KEYRING.encrypt("141029197001011234")  # IDs are not read by the payroll
    with transaction.atomic(), connection.cursor() as cur:
        base = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        hbase = (Household.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        ebase = (Entitlement.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        vcase = (
            "CASE "
            + " ".join(f"WHEN n % {len(villages)} = {i} THEN {a.pk}" for i, a in enumerate(villages))
            + " END"
        )
        tekun = "(n % 20 < 3)"
        amount = f"(CASE WHEN {tekun} THEN 1100 + (n % 401) ELSE 300 + (n % 401) END)"
        sname = f"substr('{SURNAMES}', (n % {len(SURNAMES)}) + 1, 1)"
        g1 = f"substr('{GIVEN}', ((n / 7) % {len(GIVEN)}) + 1, 1)"
        g2 = f"substr('{GIVEN}', ((n / 131) % {len(GIVEN)}) + 1, 1)"
        series = _series(v, n)
        log(f"persons ({n:,}) …")
        _insert(cur, Person, {
            "id": f"{base} + n - 1", "id_number": f"'{id_token}'", "id_index": f"'bench-' || CAST(n AS {text})",
            "name": f"{sname} || {g1} || {g2}", "name_initials": "'x'", "sex": "'M'", "birth_date": date(dt.date(1960, 5, 1)),
            "disability_kind": "''", "disability_grade": "NULL", "major_illness": false, "fulltime_education": false,
            "self_care_failed": empty_json, "labour_capacity": "'none'", "income_wage_12m": "0",
            "income_business_12m": "0", "income_property_12m": "0", "income_transfer_12m": "0",
            "income_excluded_12m": "0", "phone": "''", "bank_account": "''", "died_on": "NULL",
            "created_at": now, "updated_at": now,
        }, series)  # fmt: skip
        log("households …")
        _insert(cur, Household, {
            "id": f"{hbase} + n - 1", "village_id": vcase, "address": "'试点村' || CAST(n AS TEXT) || '号'",
            "hukou": "'rural'", "alleviated": false, "head_id": f"{base} + n - 1", "financial_assets": "0",
            "vehicles": empty_json, "homes": "1", "home_bought_within_year": false, "company_roles": "0",
            "rigid_medical_12m": "0", "rigid_education_12m": "0", "rigid_rehabilitation_12m": "0",
            "supporters": empty_json, "risk_events": empty_json, "risk_judgement": "NULL",
            "risk_judgement_reason": "''", "single_person_applicant_id": "NULL", "version": "1",
            "closed_on": "NULL", "closed_reason": "''", "created_at": now, "updated_at": now,
        }, series)  # fmt: skip
        _insert(cur, Membership, {
            "household_id": f"{hbase} + n - 1", "person_id": f"{base} + n - 1", "relation": "'head'",
            "co_resident": true, "not_counted_reason": "''", "counted": true, "joined_on": date(START),
            "left_on": "NULL", "left_reason": "''", "joined_kind": "''", "left_kind": "''",
        }, series)  # fmt: skip
        log("entitlement rows …")
        _insert(cur, Entitlement, {
            "id": f"{ebase} + n - 1", "household_id": f"{hbase} + n - 1", "valid_from": date(START),
            "valid_until": "NULL", "category": f"CASE WHEN {tekun} THEN 'tekun' ELSE 'dibao' END",
            "monitoring_marked": false, "monitoring_type": "''", "benefit_monthly": amount, "basis": "'migrated'",
            "end_basis": "''", "case_id": "NULL", "decision_id": "NULL", "decided_on": date(START),
            "parameters_version": "''", "review_due": "NULL", "reason": "'基准测试'", "previous_id": "NULL",
            "created_by_id": "NULL", "created_at": now,
        }, series)  # fmt: skip
        _insert(cur, EntitlementMember, {
            "entitlement_id": f"{ebase} + n - 1", "person_id": f"{base} + n - 1",
            "category": f"CASE WHEN {tekun} THEN 'tekun' ELSE 'dibao' END", "care_tier": "''",
            "benefit_monthly": f"CASE WHEN {tekun} THEN {amount} ELSE 0 END",
        }, series)  # fmt: skip
        if pg:
            for model in (Person, Household, Entitlement):
                table = model._meta.db_table
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
    log(f"payee accounts ({n:,}, encrypted one by one) …")
    from stdnum import luhn

    ring = settings.KEYRING
    table = PayeeAccount._meta.db_table
    sql = (
        f"INSERT INTO {table} (person_id, kind, bank, account, account_index, active, reason, created_at) "
        f"VALUES (%s, 'social_security_card', %s, %s, %s, {true}, '开户', CURRENT_TIMESTAMP)"
    )
    chunk = 20000
    for start in range(0, n, chunk):
        rows = []
        for i in range(start, min(n, start + chunk)):
            body = f"621799{i:012d}"
            number = body + luhn.calc_check_digit(body)
            rows.append(
                (base + i, BANKS[i % len(BANKS)], ring.encrypt(number), blind_index(f"bank:{number}"))
            )
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows)
    log(f"roster ready in {time.perf_counter() - t0:.1f} s")


# ---------------------------------------------------------------- the timed run


def _pool(workers: int):
    """Worker processes forked from this one (Django set up, modules loaded, no open connection)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def _generate_one(clerk_id: int, code: str) -> int:
    from safetynet.accounts.models import User
    from safetynet.payments import services

    return services.generate_payroll(user=User.objects.get(pk=clerk_id), township=code, month=MONTH).pk


def _bank_file_one(user_id: int, payroll_id: int, bank_name: str) -> tuple[int, int]:
    """One bank's file of one payroll, written as a user would (audited); (lines, bytes)."""
    from safetynet.accounts.models import User
    from safetynet.payments import bank
    from safetynet.payments.models import Payroll

    _, data = bank.write_bank_file(
        user=User.objects.get(pk=user_id),
        payroll=Payroll.objects.get(pk=payroll_id),
        bank=bank_name,
        fmt="csv",
    )
    return data.count(b"\r\n") - 2, len(data)


def run(workers: int) -> dict:
    setup()
    from django.db import connection

    from safetynet.accounts.models import User
    from safetynet.accounts.roles import Role
    from safetynet.core.areas import configured_county
    from safetynet.payments import bank, services
    from safetynet.payments.models import Payroll
    from safetynet.registry.models import Area

    county = Area.objects.get(code=configured_county())
    townships = list(Area.objects.filter(level="township", code__startswith=county.code).order_by("code"))

    def user(name, role, area):
        u, _ = User.objects.get_or_create(username=name, defaults={"role": role, "area": area})
        return u

    county_user = user("bench_county", Role.COUNTY_CIVIL.value, county)
    with connection.cursor() as cur:  # earlier runs' payrolls (untimed)
        for table in (
            "payrollflag",
            "receivablemonth",
            "recovery",
            "receivable",
            "bankfile",
            "bankresultimport",
            "payrollline",
            "payroll",
        ):
            if connection.vendor == "postgresql":  # no dead rows left behind for the next run's index scans
                cur.execute(f"TRUNCATE payments_{table} CASCADE")
            else:
                cur.execute(f"DELETE FROM payments_{table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    t0 = time.perf_counter()
    payrolls = []
    clerks = {t.code: user(f"bench_clerk_{t.code}", Role.TOWNSHIP_CLERK.value, t) for t in townships}
    if workers > 1:  # each township in its own transaction, as its clerk would, `workers` at a time
        connection.close()
        with _pool(workers) as pool:
            ids = list(pool.map(_generate_one, [c.pk for c in clerks.values()], list(clerks)))
        payrolls = [
            (clerk, Payroll.objects.get(pk=pk)) for clerk, pk in zip(clerks.values(), ids, strict=True)
        ]
    else:
        for code, clerk in clerks.items():
            payrolls.append((clerk, services.generate_payroll(user=clerk, township=code, month=MONTH)))
    generate_seconds = time.perf_counter() - t0
    log(f"generated in {generate_seconds:.1f} s")
    t1 = time.perf_counter()
    for clerk, p in payrolls:
        services.submit_payroll(user=clerk, payroll=p)
        services.approve_payroll(user=county_user, payroll=p, acknowledge_flags=True)
        services.release_payroll(user=county_user, payroll=p)
    approve_seconds = time.perf_counter() - t1
    log(f"approved and released in {approve_seconds:.1f} s")
    t2 = time.perf_counter()
    lines = 0
    size = 0
    jobs = [(county_user.pk, p.pk, b) for _, p in payrolls for b in bank.banks_of(p)]
    if workers > 1:
        connection.close()
        with _pool(workers) as pool:
            done = list(pool.map(_bank_file_one, *zip(*jobs, strict=True)))
    else:
        done = [_bank_file_one(*job) for job in jobs]
    for n, nbytes in done:
        lines += n
        size += nbytes
    file_seconds = time.perf_counter() - t2
    log(f"bank files in {file_seconds:.1f} s")
    return {
        "database": connection.vendor,
        "households": int(Payroll.objects.count() and _households()),
        "lines": lines,
        "seconds": round(generate_seconds + file_seconds, 2),
        "generate_seconds": round(generate_seconds, 2),
        "bank_file_seconds": round(file_seconds, 2),
        "approve_seconds": round(approve_seconds, 2),
        "bank_file_mb": round(size / 2**20, 1),
        "peak_rss_mb": round(
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024,
            1,
        ),
        "workers": workers,
    }


def _households() -> int:
    from safetynet.entitlements.models import Entitlement

    return Entitlement.objects.filter(valid_from__lte=MONTH).count()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=500_000)
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="townships generated (and bank files written) at once; default every core on PostgreSQL, "
        "1 on SQLite (one writer at a time)",
    )
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate_only:
        generate(args.households)
        return
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if _households() < args.households:
        subprocess.run(
            [sys.executable, __file__, "--generate-only", "--households", str(args.households)], check=True
        )
    from django.db import connection

    workers = args.workers or (os.cpu_count() or 1 if connection.vendor == "postgresql" else 1)
    print(json.dumps(run(workers), ensure_ascii=False))


if __name__ == "__main__":
    main()
