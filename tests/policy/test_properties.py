"""Laws the decision obeys for every valid household, checked with hypothesis.

The strategies build households in the JSON contract (docs/policy-engine.md) with incomes drawn
around the lines (低保 standard, 1.5 ×, the disposable-income line), ages at the statutory birthdays
and assets at the limits, so that the small changes a law talks about cross boundaries often.

Category order, best first (the more a household is assisted, the "better" its category):
特困 `tekun` > 低保 `dibao` > 低保边缘 `dibao_edge` > 刚性支出困难 `rigid_hardship` > `none`.

One law does not hold in full: more income never lowers the category, but it can raise the
household's `benefit_monthly` when it lifts a 低保 household over the standard into 边缘 / 刚性,
where members are assessed one by one (单人保, individual 特困) and their amounts can exceed the
small 低保 gap the household had (`test_leaving_dibao_can_raise_the_household_amount`). The
benefit law is checked for every other move.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetynet.policy import (
    HouseholdTable,
    assess,
    assess_batch,
    assess_json,
    load_parameters,
    parse_household,
)
from safetynet.policy.engine import MEMBER_CATEGORIES, MONITORING_TYPES
from safetynet.policy.household import (
    CATEGORIES,
    DISABILITY_KINDS,
    NOT_COUNTED_REASONS,
    RELATIONS,
    RISK_EVENTS,
)

ON = date(2025, 6, 1)
PARAMS = load_parameters("141029").on(ON)
WINDOW = PARAMS["income.window_months"]
RANK = {"tekun": 0, "dibao": 1, "dibao_edge": 2, "rigid_hardship": 3, "none": 4}  # 0 is best
assert set(RANK) == set(CATEGORIES)
COUNTED_INCOME = ("wage", "business", "property", "transfer")

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- strategies

# Per-capita monthly incomes (yuan) at and around the rural and urban lines in force on ON:
# 低保 580 / 775, 边缘 870 / 1162.5, disposable income 18600 / 42900 a year.
LINES = [0, 300, 579.99, 580, 580.01, 774.99, 775, 869.99, 870, 1162.49, 1162.5, 1549.99, 1550, 3575, 6000]


def _on_minus_years(years: int) -> date:
    return ON.replace(year=ON.year - years)


BOUNDARY_BIRTHS = [
    d for years in (16, 18, 60) for d in (_on_minus_years(years), _on_minus_years(years) + timedelta(days=1))
]
birth_dates = st.one_of(
    st.dates(min_value=date(1925, 1, 1), max_value=ON),
    st.sampled_from(BOUNDARY_BIRTHS),
).map(date.isoformat)


def as_number(fen: int):
    """Fen as the JSON number an API client sends: int when whole yuan, else a 2-decimal float."""
    return fen // 100 if fen % 100 == 0 else float(Decimal(fen) / 100)


def spread(max_fen: int) -> st.SearchStrategy:
    """Fen from 0 to `max_fen`, spread over the whole range (hypothesis favours small integers)."""
    return st.tuples(st.integers(0, 1000), st.integers(0, 99)).map(
        lambda t: min(max_fen * t[0] // 1000 + t[1], max_fen)
    )


def money(max_fen: int) -> st.SearchStrategy:
    """An amount up to `max_fen`, zero a third of the time, as a JSON number."""
    return st.one_of(st.just(0), spread(max_fen), spread(max_fen).map(lambda f: f // 100 * 100)).map(
        as_number
    )


def more_fen(max_fen: int) -> st.SearchStrategy:
    """A positive increase: one fen to cross a line exactly, or anything up to `max_fen`."""
    return st.one_of(st.integers(1, 100), spread(max_fen).map(lambda f: f + 1)).map(
        lambda f: Decimal(f) / 100
    )


# Strategies are built once: building them inside a draw makes hypothesis validate them anew each time.
WAGE, BUSINESS, PROPERTY_INCOME, TRANSFER, EXCLUDED = (
    money(f) for f in (3_000_000, 1_000_000, 300_000, 600_000, 500_000)
)
VEHICLE_VALUE, MEDICAL, EDUCATION, REHABILITATION, LIVING, RELIEF, OVERRIDE = (
    money(f) for f in (10_000_000, 5_000_000, 2_000_000, 1_000_000, 4_000_000, 500_000, 500_000)
)
RELATION = st.sampled_from(RELATIONS)
REASON = st.sampled_from(NOT_COUNTED_REASONS)
MAYBE_REASON = st.one_of(st.none(), st.none(), st.none(), REASON)
SELF_CARE = st.integers(0, 6)
CO_RESIDENT = st.sampled_from([True, True, True, False])
disabilities = st.one_of(
    st.none(),
    st.fixed_dictionaries({"kind": st.sampled_from(DISABILITY_KINDS), "grade": st.integers(1, 4)}),
)


@st.composite
def members(draw, *, relation=None, counted: bool | None = None) -> dict:
    """One member; `counted=False` gives a member with a `not_counted_reason`."""
    if counted is False:
        reason = draw(REASON)
    elif counted is True:
        reason = None
    else:
        reason = draw(MAYBE_REASON)
    return {
        "id": "?",
        "birth_date": draw(birth_dates),
        "relation": relation or draw(RELATION),
        "co_resident": draw(CO_RESIDENT),
        "not_counted_reason": reason,
        "in_fulltime_education": draw(st.booleans()),
        "disability": draw(disabilities),
        "major_illness": draw(st.booleans()),
        "self_care_failed": draw(SELF_CARE),
        "income_12m": {
            "wage": draw(WAGE),
            "business": draw(BUSINESS),
            "property": draw(PROPERTY_INCOME),
            "transfer": draw(TRANSFER),
            "excluded": draw(EXCLUDED),
        },
    }


HEAD = members(relation="head", counted=True)
OTHERS = st.lists(members(), max_size=4)
ON_A_LINE = st.one_of(st.none(), st.sampled_from(LINES), st.sampled_from(LINES))
HUKOU = st.sampled_from(["rural", "urban"])
REGION = st.sampled_from(["141029", "141029100", "141029100200"])
FINANCIAL = st.sampled_from(["share", "none", "at_limit", "share", "fen_over"])
PERCENT = st.integers(0, 200)
VEHICLES = st.one_of(
    st.just([]),
    st.just([]),
    st.lists(st.fixed_dictionaries({"value": VEHICLE_VALUE, "exempt": st.booleans()}), max_size=2),
)
HOMES = st.sampled_from([1, 1, 1, 1, 1, 0, 2])
RARELY = st.sampled_from([False] * 7 + [True])
COMPANY_ROLES = st.sampled_from([0] * 7 + [1])
SUPPORTERS = st.lists(st.fixed_dictionaries({"able": st.booleans()}), max_size=3)
EVENTS = st.lists(st.sampled_from(RISK_EVENTS), unique=True, max_size=3)
JUDGEMENT = st.sampled_from(["absent", None, True, False])  # the key left out, null, or a judgement
CURRENT = st.one_of(st.none(), st.sampled_from(CATEGORIES))
WITH_OVERRIDE = st.sampled_from([False] * 9 + [True])  # sampled_from favours the first entries


@st.composite
def households(draw) -> dict:
    """A valid household in the JSON contract, with at least one counted member (the head)."""
    head = draw(HEAD)
    others = draw(OTHERS)
    people = [head, *others]
    for i, m in enumerate(people):
        m["id"] = f"m{i + 1}"
    n = len(people)
    line = draw(ON_A_LINE)
    if line is not None:
        # Put the family's per-capita income on or near a line (if everyone is counted).
        target = Decimal(str(line)) * n * 12
        rest = sum(Decimal(str(m["income_12m"][t])) for m in others for t in COUNTED_INCOME)
        if rest > target:  # the others earn nothing, the head all of it
            for m in others:
                m["income_12m"].update(dict.fromkeys(COUNTED_INCOME, 0))
            rest = Decimal(0)
        head["income_12m"].update(dict.fromkeys(COUNTED_INCOME, 0))
        head["income_12m"]["wage"] = float(target - rest)
    hukou = draw(HUKOU)
    standard = {"rural": 580, "urban": 775}[hukou]
    limit = standard * n * 24  # the 低保 limit (the 边缘 one is 36 months)
    financial = {
        "none": 0,
        "share": as_number(limit * draw(PERCENT)),  # 0 to twice the limit
        "at_limit": limit,
        "fen_over": float(limit + Decimal("0.01")),
    }[draw(FINANCIAL)]
    data = {
        "region": draw(REGION),
        "hukou": hukou,
        "alleviated": draw(st.booleans()),
        "members": people,
        "assets": {
            "financial": financial,
            "vehicles": draw(VEHICLES),
            "homes": draw(HOMES),
            "home_bought_within_year": draw(RARELY),
            "company_roles": draw(COMPANY_ROLES),
        },
        "rigid_expenditure_12m": {
            "medical": draw(MEDICAL),
            "education": draw(EDUCATION),
            "rehabilitation": draw(REHABILITATION),
            "living": draw(LIVING),
        },
        "supporters": draw(SUPPORTERS),
        "risk_events": draw(EVENTS),
    }
    if draw(st.booleans()):
        data["rigid_expenditure_12m"]["relief_received"] = draw(RELIEF)
    judgement = draw(JUDGEMENT)
    if judgement != "absent":
        data["risk_judgement"] = judgement
    current = draw(CURRENT)
    if current is not None:
        data["current_category"] = current
    if draw(WITH_OVERRIDE):
        data["income_override"] = {"monthly": draw(OVERRIDE), "reason": "按劳动能力认定"}
    return data


HOUSEHOLDS = households()


def decide(data: dict) -> dict:
    return assess_json(data, ON)


def without_trace(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "trace"}


def yuan(value) -> Decimal:
    return Decimal(str(value))


def income_lines(hukou: str) -> list[Decimal]:
    """The per-capita monthly lines the category and the mark turn on (yuan)."""
    p = PARAMS.fresh()
    standard = p[f"dibao.standard_monthly.{hukou}"]
    return sorted(
        {
            standard,
            standard * p["edge.income_multiplier"],
            p[f"rigid.disposable_income_prev_year.{hukou}"] / 12,
            p["monitoring.line_annual"] / 12,
        }
    )


def asset_limits(hukou: str, n: int) -> list[Decimal]:
    p = PARAMS.fresh()
    standard = p[f"dibao.standard_monthly.{hukou}"]
    return [standard * n * p["assets.financial_months"], standard * n * p["assets.financial_months_edge"]]


# Steps over a line: to just below, exactly onto, or just over it (yuan, over the 12 months).
NUDGE = st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("0.12"), Decimal(1), Decimal("-0.12")])
TO_THE_NEXT_LINE = st.sampled_from([True, True, False])


# ---------------------------------------------------------------- more income


@settings(PROPERTY, max_examples=150)
@given(HOUSEHOLDS, st.data(), st.sampled_from(COUNTED_INCOME), more_fen(2_000_000), TO_THE_NEXT_LINE, NUDGE)
def test_more_income_never_improves_the_category_nor_raises_the_benefit(
    data, pick, kind, extra, to_next_line, nudge
):
    before = decide(data)
    richer = copy.deepcopy(data)
    counted = [i for i, m in enumerate(before["members"]) if m["counted"]]
    candidates = counted if to_next_line else range(len(richer["members"]))
    member = richer["members"][pick.draw(st.sampled_from(candidates))]
    if to_next_line:  # lift the family's per-capita income onto the next line up, or just around it
        per_capita, n = yuan(before["per_capita_monthly_income"]), before["family_size"]
        above = [line for line in income_lines(data["hukou"]) if line > per_capita]
        if above:
            extra = max((above[0] - per_capita) * n * WINDOW + nudge, Decimal("0.01")).quantize(
                Decimal("0.01")
            )
    member["income_12m"][kind] = float(yuan(member["income_12m"][kind]) + extra)
    after = decide(richer)
    assert RANK[after["category"]] >= RANK[before["category"]], (before["category"], after["category"])
    if not (before["category"] == "dibao" and after["category"] in ("dibao_edge", "rigid_hardship")):
        # the one documented exception: see the module docstring
        assert yuan(after["benefit_monthly"]) <= yuan(before["benefit_monthly"])
    assert yuan(after["per_capita_monthly_income"]) >= yuan(before["per_capita_monthly_income"])


def test_leaving_dibao_can_raise_the_household_amount():
    """Why the benefit law exempts 低保 → 边缘: a 2-yuan 低保 gap becomes an individual 特困 amount."""

    def person(mid, relation, birth, wage):
        return {
            "id": mid,
            "birth_date": birth,
            "relation": relation,
            "co_resident": True,
            "not_counted_reason": None,
            "in_fulltime_education": False,
            "disability": None,
            "major_illness": False,
            "self_care_failed": 0,
            "income_12m": {"wage": wage, "business": 0, "property": 0, "transfer": 0, "excluded": 0},
        }

    data = {
        "region": "141029",
        "hukou": "rural",
        "alleviated": False,
        "members": [person("m1", "head", "1980-01-01", 13896), person("m2", "parent", "1940-01-01", 0)],
        "assets": {
            "financial": 0,
            "vehicles": [],
            "homes": 1,
            "home_bought_within_year": False,
            "company_roles": 0,
        },
        "rigid_expenditure_12m": {"medical": 0, "education": 0, "rehabilitation": 0, "living": 0},
        "supporters": [],
        "risk_events": [],
    }
    before = decide(data)  # 1158 a month for two: 2 yuan below 2 × 580
    data["members"][0]["income_12m"]["wage"] = 13920  # 1160 a month: at the standard
    after = decide(data)
    assert (before["category"], before["benefit_monthly"]) == ("dibao", 2)
    assert after["category"] == "dibao_edge"
    assert after["members"][1]["category"] == "tekun"
    assert after["benefit_monthly"] > before["benefit_monthly"]


# ---------------------------------------------------------------- what must not matter


@PROPERTY
@given(HOUSEHOLDS, members(counted=False), st.data())
def test_an_uncounted_member_changes_nothing_but_the_member_list(data, stranger, pick):
    before = decide(data)
    stranger["id"] = "uncounted"
    grown = copy.deepcopy(data)
    position = pick.draw(st.integers(0, len(grown["members"])))
    grown["members"].insert(position, stranger)
    after = decide(grown)
    for key in without_trace(before):
        if key != "members":
            assert after[key] == before[key], key
    added = after["members"].pop(position)
    assert added == {"id": "uncounted", "counted": False, "category": None, "benefit_monthly": 0}
    assert after["members"] == before["members"]


@PROPERTY
@given(HOUSEHOLDS, st.lists(more_fen(1_000_000), min_size=5, max_size=5))
def test_excluded_income_changes_nothing(data, extras):
    before = decide(data)
    more = copy.deepcopy(data)
    for member, extra in zip(more["members"], extras, strict=False):
        member["income_12m"]["excluded"] = float(yuan(member["income_12m"]["excluded"]) + extra)
    assert without_trace(decide(more)) == without_trace(before)


# ---------------------------------------------------------------- more assets


@settings(PROPERTY, max_examples=150)
@given(HOUSEHOLDS, more_fen(10_000_000), TO_THE_NEXT_LINE, NUDGE)
def test_more_financial_assets_never_improve_the_category(data, extra, to_next_limit, nudge):
    before = decide(data)
    richer = copy.deepcopy(data)
    financial = yuan(data["assets"]["financial"])
    above = [limit for limit in asset_limits(data["hukou"], before["family_size"]) if limit > financial]
    if to_next_limit and above:  # onto the next limit up, or just around it
        extra = max(above[0] - financial + nudge, Decimal("0.01"))
    richer["assets"]["financial"] = float(yuan(richer["assets"]["financial"]) + extra)
    after = decide(richer)
    assert RANK[after["category"]] >= RANK[before["category"]], (before["category"], after["category"])


# ---------------------------------------------------------------- amounts and arithmetic


@PROPERTY
@given(HOUSEHOLDS)
def test_amounts_are_whole_yuan_and_never_negative(data):
    result = decide(data)
    amounts = [result["benefit_monthly"], *(m["benefit_monthly"] for m in result["members"])]
    for amount in amounts:
        assert isinstance(amount, int) and amount >= 0, amount
    members_total = sum(amounts[1:])
    if result["category"] == "dibao":  # the gap on family totals comes on top of the increments
        assert result["benefit_monthly"] >= members_total
    else:
        assert result["benefit_monthly"] == members_total
    for m in result["members"]:
        assert m["counted"] or m["benefit_monthly"] == 0


@PROPERTY
@given(HOUSEHOLDS)
def test_per_capita_income_times_family_size_is_the_monthly_income_within_rounding(data):
    result = decide(data)
    n = result["family_size"]
    counted = {m["id"] for m in result["members"] if m["counted"]}
    assert n == len(counted) >= 1
    if "income_override" in data:
        monthly = yuan(data["income_override"]["monthly"])
    else:
        total = sum(
            yuan(m["income_12m"][t]) for m in data["members"] if m["id"] in counted for t in COUNTED_INCOME
        )
        monthly = total / WINDOW
    per_capita = yuan(result["per_capita_monthly_income"])
    exact = monthly / n if "income_override" in data else total / (WINDOW * n)  # one exact division
    assert per_capita == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(per_capita * n - monthly) <= Decimal("0.005") * n


# ---------------------------------------------------------------- the monitoring mark


@PROPERTY
@given(HOUSEHOLDS, st.booleans())
def test_a_recorded_judgement_decides_the_mark_inside_the_range(data, at_risk):
    """Inside the range the officer's judgement wins over the events; outside it changes nothing."""
    without = decide({k: v for k, v in data.items() if k != "risk_judgement"})
    judged = decide({**data, "risk_judgement": at_risk})
    inside_types = {"unstable_alleviated", "edge_prone"}
    expected_inside = ("unstable_alleviated" if data["alleviated"] else "edge_prone") if at_risk else None
    if data["hukou"] == "urban":
        assert judged["monitoring"] == {"marked": False, "type": None}
    elif without["monitoring"]["type"] in inside_types or judged["monitoring"]["type"] in inside_types:
        assert judged["monitoring"]["type"] == expected_inside
    else:  # above the range or not inside: the judgement plays no part (sudden hardship unchanged)
        assert judged["monitoring"] == without["monitoring"]
    assert {k: v for k, v in without_trace(judged).items() if k != "monitoring"} == {
        k: v for k, v in without_trace(without).items() if k != "monitoring"
    }


# ---------------------------------------------------------------- one definition, two paths


@settings(PROPERTY, max_examples=40)
@given(st.lists(HOUSEHOLDS, min_size=1, max_size=5), st.integers(1, 4))
def test_scalar_and_batch_paths_agree(datas, chunk):
    parsed = [parse_household(d, on=ON) for d in datas]
    table = HouseholdTable.from_households(parsed)
    batch = assess_batch(table, PARAMS, reasons=True, chunk_households=chunk, workers=2)
    c = batch.columns
    member_row = 0
    unverified = set()
    for i, household in enumerate(parsed):
        one = assess(household, PARAMS)
        unverified.update(one.unverified_parameters)
        assert batch.household_row(i) == {
            "valid": True,
            "category": one.category,
            "monitoring": {"marked": one.monitoring_type is not None, "type": one.monitoring_type},
            "family_size": one.family_size,
            "per_capita_monthly_income": one.per_capita_monthly_income,
            "benefit_monthly": one.benefit_monthly,
            "refer_other_low_income": one.refer_other_low_income,
            "gradual_exit_months": one.gradual_exit_months,
        }
        assert MONITORING_TYPES[c["monitoring"][i]] == one.monitoring_type
        rows = range(member_row, member_row + len(household.members))
        member_row = rows.stop
        for j, m in zip(rows, one.members, strict=True):
            assert (bool(c["member_counted"][j]), MEMBER_CATEGORIES[c["member_category"][j]]) == (
                m.counted,
                m.category,
            )
            assert int(c["member_benefit_monthly"][j]) == m.benefit_monthly
        # The compact trace gives, rule by rule, the reasons of the full trace, and -1 elsewhere.
        traced = set()
        for entry in one.trace:
            rule = entry["rule"]
            if rule in ("family_size", "category"):
                continue
            key = "assets_within_edge_limits" if rule == "assets_within_limits" and rule in traced else rule
            traced.add(key)
            names = batch.reasons.decode(key)
            got = list(names[rows.start : rows.stop]) if batch.reasons.levels[key] == "member" else names[i]
            assert got == entry["result"]["reason"], key
        for key, codes in batch.reasons.codes.items():
            if key not in traced:
                row = rows.start if batch.reasons.levels[key] == "member" else i
                assert codes[row] == -1, key
    assert set(batch.unverified_parameters) == unverified
    assert np.all(c["valid"])
