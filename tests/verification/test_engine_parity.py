"""The same rule expressions on DuckDB and on Spark (Ibis's PySpark backend) find identical leads.

Needs the `spark` extra (`uv sync --extra spark`) and Java 17. Without either the test skips, naming
what to install, unless SAFETYNET_REQUIRE_SPARK is set (CI), where a missing Spark is a failure.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from safetynet.policy import load_parameters
from safetynet.verification.engine import Engine
from safetynet.verification.ingest import output_schema
from safetynet.verification.keys import KEY_BYTES
from safetynet.verification.rules import RULES, RuleParams
from safetynet.verification.snapshot import REGISTER_SCHEMA
from safetynet.verification.sources import SOURCES

ON = dt.date(2026, 5, 15)
D = dt.date(2026, 5, 1)


def key(name: str) -> bytes:
    """A 16-byte file key (`verification.keys`) standing for a resident named `name` in these tests."""
    return name.encode().ljust(KEY_BYTES, b"\0")


def name(key: bytes) -> str:
    return bytes(key).rstrip(b"\0").decode()


def _params() -> RuleParams:
    params = RuleParams.of(load_parameters("141029").on(ON))  # the shipped store, as a run reads it
    assert params["assets.homes_max"] == 1 and params.rural_standard == Decimal("600")
    return params


def _register(path):
    rows = []

    def person(pid, idx, hid, village, head, recipient, size=2, valid=True, counted=True):
        rows.append(
            {
                "person_id": pid,
                "id_index": key(idx),
                "household_id": hid,
                "village_code": village,
                "head_id_index": key(head),
                "counted": counted,
                "recipient": recipient,
                "category": "dibao" if recipient else "",
                "family_size": size,
                "id_valid": valid,
                "id_problem": "" if valid else "校验位错误",
                "declared_financial": Decimal("1000.00"),
                "declared_vehicles": 0,
                "declared_vehicle_value": Decimal("0.00"),
                "declared_homes": 1,
                "declared_company_roles": 0,
                "financial_limit": Decimal("28800.00"),
                "income_line": Decimal("600.00"),
            }
        )

    person(1, "a1", 10, "141029100201", "a1", True)
    person(2, "a2", 10, "141029100201", "a1", True)
    person(3, "b1", 11, "141029100202", "b1", False, size=1)
    person(4, "c1", 12, "141029101201", "c1", True, size=1, valid=False)
    person(5, "a2", 13, "141029101201", "x9", False, size=1)  # a2 also counted in household 13
    pq.write_table(pa.Table.from_pylist(rows, schema=REGISTER_SCHEMA), path)


def _source(tmp, code, rows, part=""):
    schema = output_schema(SOURCES[code])
    full = [
        {"subject": b"", "_row": i + 2, "upload_sha": f"s{part}", **r, "id_index": key(r["id_index"])}
        for i, r in enumerate(rows)
    ]
    path = tmp / f"{code}{part}.parquet"
    pq.write_table(pa.Table.from_pylist(full, schema=schema), path)
    return [path]


def _data(tmp):
    _register(tmp / "register.parquet")
    m = Decimal
    return {
        "hukou": _source(
            tmp,
            "hukou",
            [
                {
                    "id_index": "a2",
                    "status": "deceased",
                    "death_date": dt.date(2026, 2, 1),
                    "village_code": "141029100201",
                    "as_of": D,
                },
                {
                    "id_index": "z1",
                    "status": "normal",
                    "death_date": None,
                    "village_code": "141029101201",
                    "as_of": D,
                },
            ],
        ),
        "financial": _source(
            tmp,
            "financial",
            [
                {
                    "id_index": "a1",
                    "institution": "农商行",
                    "kind": "deposit",
                    "balance": m("20000.50"),
                    "as_of": D,
                },
                {
                    "id_index": "a2",
                    "institution": "邮储",
                    "kind": "fund",
                    "balance": m("9000.00"),
                    "as_of": D,
                },
                {
                    "id_index": "b1",
                    "institution": "邮储",
                    "kind": "fund",
                    "balance": m("99000.00"),
                    "as_of": D,
                },
            ],
        ),
        "vehicle": _source(
            tmp,
            "vehicle",
            [
                {
                    "id_index": "a1",
                    "plate": "晋L1",
                    "kind": "car",
                    "value": m("86000.00"),
                    "registered_on": None,
                    "as_of": D,
                },
                {
                    "id_index": "a1",
                    "plate": "晋L2",
                    "kind": "motorcycle",
                    "value": m("3000.00"),
                    "registered_on": None,
                    "as_of": D,
                },
            ],
        ),
        "business": _source(
            tmp,
            "business",
            [
                {
                    "id_index": "c1",
                    "credit_code": "X1",
                    "entity_name": "某公司",
                    "entity_kind": "company",
                    "role": "shareholder",
                    "share_pct": m("60.00"),
                    "registered_capital": None,
                    "as_of": D,
                },
            ],
        ),
        "real_estate": _source(
            tmp,
            "real_estate",
            [
                {
                    "id_index": "a1",
                    "unit_no": "U1",
                    "use": "residential",
                    "area_m2": None,
                    "registered_on": dt.date(2010, 1, 1),
                    "as_of": D,
                },
                {
                    "id_index": "a2",
                    "unit_no": "U2",
                    "use": "residential",
                    "area_m2": None,
                    "registered_on": dt.date(2025, 9, 1),
                    "as_of": D,
                },
            ],
        ),
        "social_insurance": _source(
            tmp,
            "social_insurance",
            [
                {
                    "id_index": "a1",
                    "wage_12m": m("12000.00"),
                    "pension_12m": m("1000.00"),
                    "contribution_12m": None,
                    "as_of": D,
                },
                {
                    "id_index": "c1",
                    "wage_12m": m("90000.00"),
                    "pension_12m": None,
                    "contribution_12m": None,
                    "as_of": D,
                },
            ],
        ),
        "medical": _source(
            tmp,
            "medical",
            [
                {
                    "id_index": "b1",
                    "total_cost_12m": m("80000.00"),
                    "self_paid_12m": m("30000.00"),
                    "as_of": D,
                },
                {
                    "id_index": "z1",
                    "total_cost_12m": m("80000.00"),
                    "self_paid_12m": m("20000.00"),
                    "as_of": D,
                },
                {
                    "id_index": "a1",
                    "total_cost_12m": m("80000.00"),
                    "self_paid_12m": m("50000.00"),
                    "as_of": D,
                },
            ],
        ),
        "disability": _source(
            tmp,
            "disability",
            [
                {
                    "id_index": "b1",
                    "kind": "physical",
                    "grade": 2,
                    "certified_on": dt.date(2026, 1, 5),
                    "as_of": D,
                },
            ],
        ),
        "emergency": _source(
            tmp,
            "emergency",
            [
                {
                    "id_index": "z1",
                    "event": "flood",
                    "event_date": dt.date(2026, 4, 1),
                    "loss": m("6000.00"),
                    "as_of": D,
                },
                {
                    "id_index": "z1",
                    "event": "hail",
                    "event_date": dt.date(2026, 4, 20),
                    "loss": m("6000.00"),
                    "as_of": D,
                },
            ],
        ),
        "unemployment": _source(
            tmp,
            "unemployment",
            [
                {
                    "id_index": "z1",
                    "status": "unemployed",
                    "registered_on": dt.date(2026, 1, 1),
                    "benefit_monthly": None,
                    "as_of": D,
                },
            ],
        ),
        "education": _source(
            tmp,
            "education",
            [
                {
                    "id_index": "b1",
                    "school": "二中",
                    "stage": "junior",
                    "status": "dropped_out",
                    "cost_12m": None,
                    "as_of": D,
                },
            ],
        ),
        "housing": _source(
            tmp,
            "housing",
            [
                {"id_index": "a1", "grade": "C", "assessed_on": dt.date(2026, 1, 1), "as_of": D},
            ],
        ),
        "water": _source(
            tmp,
            "water",
            [
                {"id_index": "z1", "safe": False, "issue": "断流", "assessed_on": None, "as_of": D},
            ],
        ),
    }


def _leads(engine: Engine, tmp, sources) -> set:
    engine.load(tmp / "register.parquet", sources, empty_dir=tmp / "empty")
    found = set()
    for rule, table in engine.run(_params()):
        for row in table.to_pylist():
            evidence = tuple((c, str(row.get(c))) for c in rule.evidence)
            found.add(
                (rule.code, name(row["id_index"]), row.get("household_id"), row.get("village_code"), evidence)
            )
    return found


def test_duckdb_finds_every_planted_case(tmp_path):
    leads = _leads(Engine.duckdb(temp_dir=tmp_path / "spill"), tmp_path, _data(tmp_path))
    rules = {(code, idx) for code, idx, *_ in leads}
    assert rules == {
        ("recipient_deceased", "a2"),
        ("recipient_financial_over_limit", "a1"),  # 20000.50 + 9000 > 28800
        ("recipient_undeclared_vehicle", "a1"),  # the motorcycle does not count
        ("recipient_company_role", "c1"),
        ("recipient_extra_home", "a1"),
        ("recipient_income_over_line", "c1"),  # 90000 > 600 × 12 × 1; household 10: 13000 < 600 × 12 × 2
        ("duplicate_membership", "a2"),
        ("invalid_register_id", "c1"),
        ("unassisted_high_medical", "b1"),
        ("unassisted_high_medical", "z1"),  # outside the register, placed by 户籍
        ("unassisted_new_severe_disability", "b1"),
        ("unassisted_disaster_loss", "z1"),  # two events of 6000
        ("unassisted_unemployed_low_income", "z1"),
        ("two_three_dropout", "b1"),
        ("two_three_unsafe_housing", "a1"),
        ("two_three_unsafe_water", "z1"),
    }
    assert all(len(r.evidence) for r in RULES)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def _spark_or_skip() -> None:
    missing = None
    if importlib.util.find_spec("pyspark") is None:
        missing = "needs the spark extra: uv sync --extra spark"
    elif _java() is None:
        missing = "needs Java 17: apt-get install openjdk-17-jre-headless"
    if missing:
        if os.environ.get("SAFETYNET_REQUIRE_SPARK"):
            pytest.fail(f"{missing} (SAFETYNET_REQUIRE_SPARK is set)")
        pytest.skip(missing)


def test_duckdb_and_spark_find_identical_leads(tmp_path):
    _spark_or_skip()
    sources = _data(tmp_path)
    duck = _leads(Engine.duckdb(temp_dir=tmp_path / "spill"), tmp_path, sources)
    spark = Engine.spark()
    try:
        on_spark = _leads(spark, tmp_path, sources)
    finally:
        spark.con._session.stop()
    assert on_spark == duck
    assert len(duck) == 16


def _spark_or_skip():
    if importlib.util.find_spec("pyspark") is None:
        if os.environ.get("SAFETYNET_REQUIRE_SPARK"):
            pytest.fail("SAFETYNET_REQUIRE_SPARK is set but pyspark is not installed (uv sync --extra spark)")
        pytest.skip("the spark extra is not installed")
    return Engine.spark()


def _parts(tmp):
    """医保 for one period in three files: the first, the same rows sent again, a correction."""
    _register(tmp / "register.parquet")
    m = Decimal

    def med(idx, paid):
        return {"id_index": idx, "total_cost_12m": m("30000.00"), "self_paid_12m": m(paid), "as_of": D}

    first = [med("b1", "12000.00"), med("z1", "25000.00"), med("y1", "7369.00")]
    again = [med("b1", "12000.00"), med("y1", "7369.00")]  # summed: b1 24,000 ≥ 20,000
    correction = [med("z1", "19000.00"), med("y1", "21000.00")]  # z1 drops out, y1 comes in
    return {
        "medical": [
            *_source(tmp, "medical", first, "-1"),
            *_source(tmp, "medical", again, "-2"),
            *_source(tmp, "medical", correction, "-3"),
        ],
        "hukou": _source(
            tmp,
            "hukou",
            [
                {"id_index": i, "status": "normal", "death_date": None, "village_code": v, "as_of": D}
                for i, v in (("z1", "141029101202"), ("y1", "141029101202"))
            ],
        ),
    }


def _medical(engine: Engine, tmp, sources) -> dict:
    from safetynet.verification.rules import RULES_BY_CODE

    engine.load(tmp / "register.parquet", sources, empty_dir=tmp / "empty")
    rule = RULES_BY_CODE["unassisted_high_medical"]
    return {
        name(r["id_index"]): str(r["self_paid_12m"]) for r in engine.run_rule(rule, _params()).to_pylist()
    }


def test_a_record_sent_again_counts_once_and_a_correction_replaces_it_on_both_engines(tmp_path):
    sources = _parts(tmp_path)
    expected = {"y1": "21000.00"}  # b1 once (12,000), z1 corrected to 19,000, y1 corrected up
    assert _medical(Engine.duckdb(temp_dir=tmp_path / "spill"), tmp_path, sources) == expected
    spark = _spark_or_skip()
    try:
        assert _medical(spark, tmp_path, sources) == expected
    finally:
        spark.con._session.stop()


def test_the_register_is_grouped_once_per_run_and_dropped_after(tmp_path):
    engine = Engine.duckdb(temp_dir=tmp_path / "spill")
    sources = _data(tmp_path)

    def shared() -> set[str]:
        rows = engine.con.con.sql("SELECT table_name FROM duckdb_tables()").fetchall()
        return {name for (name,) in rows if name.startswith("shared_")}

    try:
        _leads(engine, tmp_path, sources)  # every rule
        # recipient members, recipient households, people, and every recipient rule's source rows
        # joined once to the members: built once each
        assert len(shared()) == 4
        engine.load(tmp_path / "register.parquet", sources, empty_dir=tmp_path / "empty")
        assert shared() == set()  # a new load (a new run) starts from the new register
    finally:
        engine.close()
