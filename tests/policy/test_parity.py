"""The scalar path and the batch path are one definition: they agree on every household.

Random registers are generated as columns (seeded numpy), decided once by `assess_batch`, and
each household is turned back into the JSON contract and decided alone by `assess_json`.
Incomes are drawn around every threshold so that the boundaries are crossed often.
"""

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from safetynet.core.errors import ValidationFailed
from safetynet.policy import HouseholdTable, assess_batch, assess_json, load_parameters
from safetynet.policy.household import CATEGORIES, DISABILITY_KINDS, INCOME_TYPES, RELATIONS, RISK_EVENTS
from safetynet.policy.table import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

ON = date(2025, 6, 1)
STD = {False: 58000, True: 77500}  # fen, rural / urban on ON
# per-capita monthly incomes (fen) at and around each line: 低保, monitoring (7400/12), 边缘, disposable
TARGETS = np.array(
    [0, 30000, 57999, 58000, 58001, 61666, 61667, 86999, 87000, 87001, 120000, 154999, 155000, 357500, 500000]
)


def random_register(rng: np.random.Generator, n_households: int):
    sizes = rng.integers(1, 6, n_households)
    idx = np.repeat(np.arange(n_households), sizes)
    m = len(idx)
    first = np.r_[True, idx[1:] != idx[:-1]]
    urban = rng.random(n_households) < 0.3
    on_int = ON.year * 10000 + ON.month * 100 + ON.day
    years = rng.integers(0, 96, m)
    birth = (ON.year - years) * 10000 + rng.integers(1, 13, m) * 100 + rng.integers(1, 29, m)
    exact_birthday = rng.random(m) < 0.05
    birth = np.where(exact_birthday, on_int - years * 10000, birth)
    birth = np.minimum(birth, on_int)
    relation = np.where(first, 0, rng.integers(1, len(RELATIONS), m))
    grade = np.where(rng.random(m) < 0.25, rng.integers(1, 5, m), 0)
    kind = np.where(grade > 0, rng.integers(1, len(DISABILITY_KINDS) + 1, m), 0)

    counted_guess = sizes
    target = rng.choice(TARGETS, n_households) * counted_guess * 12
    jitter = np.where(rng.random(n_households) < 0.5, 0, rng.integers(-50000, 50000, n_households))
    head_wage = np.maximum(target + jitter, 0)
    wage = np.where(first, head_wage[idx], np.where(rng.random(m) < 0.2, rng.integers(0, 2000000, m), 0))
    money = lambda p, hi: np.where(rng.random(m) < p, rng.integers(0, hi, m), 0)  # noqa: E731

    members = {
        "household": idx,
        "birth": birth,
        "relation": relation,
        "co_resident": rng.random(m) < 0.9,
        "not_counted": rng.random(m) < 0.08,
        "in_fulltime_education": rng.random(m) < 0.1,
        "major_illness": rng.random(m) < 0.1,
        "disability_kind": kind,
        "disability_grade": grade,
        "self_care_failed": rng.integers(0, 7, m),
        "wage_fen": wage,
        "business_fen": money(0.2, 1000000),
        "property_fen": money(0.1, 300000),
        "transfer_fen": money(0.3, 600000),
        "excluded_fen": money(0.2, 500000),
    }
    std = np.where(urban, STD[True], STD[False])
    fin_limit = std * sizes * 24
    financial = np.select(
        [rng.random(n_households) < 0.15, rng.random(n_households) < 0.15],
        [fin_limit, fin_limit + 1],
        default=rng.integers(0, 6000000, n_households),
    )
    override = rng.random(n_households) < 0.05
    households = {
        "urban": urban,
        "alleviated": ~urban & (rng.random(n_households) < 0.4),
        "financial_fen": financial,
        "nonexempt_vehicles": (rng.random(n_households) < 0.08).astype(int),
        "homes": rng.choice([0, 1, 1, 1, 2], n_households),
        "home_bought_within_year": rng.random(n_households) < 0.04,
        "company_roles": (rng.random(n_households) < 0.04).astype(int),
        "rigid_medical_fen": np.where(
            rng.random(n_households) < 0.4, rng.integers(0, 5000000, n_households), 0
        ),
        "rigid_education_fen": np.where(
            rng.random(n_households) < 0.2, rng.integers(0, 2000000, n_households), 0
        ),
        "rigid_rehabilitation_fen": np.where(
            rng.random(n_households) < 0.1, rng.integers(0, 1000000, n_households), 0
        ),
        "rigid_living_fen": np.where(
            rng.random(n_households) < 0.5, rng.integers(0, 4000000, n_households), 0
        ),
        "relief_received_fen": np.where(
            rng.random(n_households) < 0.1, rng.integers(0, 500000, n_households), 0
        ),
        "able_supporters": np.where(rng.random(n_households) < 0.5, 0, rng.integers(0, 3, n_households)),
        "risk_events": np.where(rng.random(n_households) < 0.4, rng.integers(1, 32, n_households), 0),
        # -1 no judgement recorded (most), 0 judged not at risk, 1 judged at risk
        "risk_judgement": rng.choice([-1, -1, -1, -1, 0, 1], n_households),
        "has_override": override,
        "override_monthly_fen": np.where(override, rng.choice(TARGETS, n_households), 0),
        "current_category": rng.choice([0, 0, 0, 1, 2, 2, 3, 4], n_households),
    }
    # Exact cases for the supporter list: an able flag list whose length can exceed the able count.
    unable = rng.integers(0, 2, n_households)
    return HouseholdTable.from_columns(households, members), unable


def yuan(fen):
    return float(Decimal(int(fen)) / 100)


def to_contract(table: HouseholdTable, unable, i: int, member_rows) -> dict:
    """Household `i` of the table back into the JSON contract (what the API receives)."""
    h = {k: v[i] for k, v in table.households.items()}
    members = []
    for j in member_rows:
        m = {k: v[j] for k, v in table.members.items()}
        b = int(m["birth"])
        members.append(
            {
                "id": f"p{j}",
                "birth_date": f"{b // 10000:04d}-{b // 100 % 100:02d}-{b % 100:02d}",
                "relation": RELATIONS[int(m["relation"])],
                "co_resident": bool(m["co_resident"]),
                "not_counted_reason": "prison" if m["not_counted"] else None,
                "in_fulltime_education": bool(m["in_fulltime_education"]),
                "disability": (
                    {
                        "kind": DISABILITY_KINDS[int(m["disability_kind"]) - 1],
                        "grade": int(m["disability_grade"]),
                    }
                    if m["disability_grade"]
                    else None
                ),
                "major_illness": bool(m["major_illness"]),
                "self_care_failed": int(m["self_care_failed"]),
                "income_12m": {t: yuan(m[f"{t}_fen"]) for t in INCOME_TYPES},
            }
        )
    data = {
        "region": "141029",
        "hukou": "urban" if h["urban"] else "rural",
        "alleviated": bool(h["alleviated"]),
        "members": members,
        "assets": {
            "financial": yuan(h["financial_fen"]),
            "vehicles": [{"value": 1000, "exempt": True}]
            + [{"value": 30000, "exempt": False}] * int(h["nonexempt_vehicles"]),
            "homes": int(h["homes"]),
            "home_bought_within_year": bool(h["home_bought_within_year"]),
            "company_roles": int(h["company_roles"]),
        },
        "rigid_expenditure_12m": {
            "medical": yuan(h["rigid_medical_fen"]),
            "education": yuan(h["rigid_education_fen"]),
            "rehabilitation": yuan(h["rigid_rehabilitation_fen"]),
            "living": yuan(h["rigid_living_fen"]),
            "relief_received": yuan(h["relief_received_fen"]),
        },
        "supporters": [{"able": True}] * int(h["able_supporters"]) + [{"able": False}] * int(unable[i]),
        "risk_events": [e for b, e in enumerate(RISK_EVENTS) if int(h["risk_events"]) >> b & 1],
        "current_category": CATEGORIES[int(h["current_category"])],
    }
    judgement = int(h["risk_judgement"])
    if judgement != -1 or i % 2:  # no judgement: the key left out, or null
        data["risk_judgement"] = {-1: None, 0: False, 1: True}[judgement]
    if h["has_override"]:
        data["income_override"] = {"monthly": yuan(h["override_monthly_fen"]), "reason": "按劳动能力认定"}
    return data


@pytest.mark.parametrize("seed", [20251, 20252])
def test_scalar_and_batch_paths_agree_on_every_household(seed):
    rng = np.random.default_rng(seed)
    table, unable = random_register(rng, 1500)
    params = load_parameters("141029").on(ON)
    batch = assess_batch(table, params, reasons=True)
    idx = table.members["household"]
    starts = np.searchsorted(idx, np.arange(table.n_households + 1))
    seen_categories, seen_monitoring = set(), set()
    for i in range(table.n_households):
        rows = range(starts[i], starts[i + 1])
        data = to_contract(table, unable, i, rows)
        expected = batch.household_row(i)
        if not expected["valid"]:
            with pytest.raises(ValidationFailed):
                assess_json(data, ON, trace=False)
            continue
        got = assess_json(data, ON, trace=False)
        for key in ("category", "monitoring", "family_size", "refer_other_low_income", "gradual_exit_months"):
            assert got[key] == expected[key], (i, key, data)
        for key in ("per_capita_monthly_income", "benefit_monthly"):
            assert Decimal(str(got[key])) == expected[key], (i, key, data)
        for k, j in enumerate(rows):
            member = got["members"][k]
            assert member["counted"] == bool(batch.columns["member_counted"][j])
            assert member["benefit_monthly"] == int(batch.columns["member_benefit_monthly"][j])
            assert (
                member["category"] == (None, "tekun", "individual_dibao")[batch.columns["member_category"][j]]
            )
        seen_categories.add(got["category"])
        seen_monitoring.add(got["monitoring"]["type"])
    # The generator reaches every outcome, so the comparison covers every rule.
    assert seen_categories == {"tekun", "dibao", "dibao_edge", "rigid_hardship", "none"}
    assert seen_monitoring == {None, "unstable_alleviated", "edge_prone", "sudden_hardship"}
    # ... and every reading of "at risk" inside the range.
    readings = set(batch.reasons.decode("monitoring_mark").tolist())
    assert {
        "inside_range_at_risk_by_judgement",
        "inside_range_at_risk_by_event",
        "inside_range_judged_not_at_risk",
        "inside_range_not_at_risk",
    } <= readings
    member_categories = set(batch.columns["member_category"].tolist())
    assert member_categories == {0, 1, 2}


def test_column_layout_is_documented_in_the_table_module():
    from safetynet.policy import table

    for name in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS):
        assert f"`{name}`" in table.__doc__ or name in table.__doc__
