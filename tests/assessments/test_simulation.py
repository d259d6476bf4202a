import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safetynet.assessments.simulation import simulate, two_lines
from tests.conftest import VILLAGE_A, VILLAGE_C, member

TODAY, NEXT = dt.date(2026, 6, 1), dt.date(2027, 1, 1)


def _entry(name, value):
    return {"name": name, "value": value, "effective_from": NEXT, "reference": "候选值", "verified": False}


@pytest.fixture
def register(make_household):
    near = make_household(
        VILLAGE_A,
        members=[
            member("head", birth=dt.date(1980, 1, 1), income_wage_12m="13200"),
            member("spouse", name="李红", birth=dt.date(1981, 1, 1), income_wage_12m="0"),
        ],
    )  # 550/month per head: dibao at 600 and at 650
    edge = make_household(
        VILLAGE_A, members=[member("head", birth=dt.date(1980, 1, 1), income_wage_12m="7440")]
    )
    # 620/month: edge under a 600 standard, dibao under 650
    rich = make_household(
        VILLAGE_C, members=[member("head", birth=dt.date(1980, 1, 1), income_wage_12m="90000")]
    )
    return near, edge, rich


def test_raising_the_rural_standard_moves_the_household_just_above_it_into_dibao(register):
    report = simulate(
        region="141029", candidates=[_entry("dibao.standard_monthly.rural", "650")], on=NEXT, today=TODAY
    )
    total = report["total"]
    assert total["categories"]["dibao"]["households_before"] == 1
    assert total["categories"]["dibao"]["households_after"] == 2
    assert total["categories"]["dibao_edge"]["households_after"] == 0
    assert total["changed_households"] == 1 and total["changed_people"] == 1
    assert {"from": "dibao_edge", "to": "dibao", "households": 1, "people": 1} in report["transitions"]
    # Yearly cost: (600·2 − 550·2)·12 = 1,200 before; (650·2 − 1,100 + 650 − 620)·12 = 2,760 after.
    assert total["yearly_cost_before"] == Decimal(1200)
    assert total["yearly_cost_after"] == Decimal(2760)
    by_town = {t["code"]: t for t in report["townships"]}
    assert by_town["141029101"]["changed_households"] == 0
    assert by_town["141029100"]["changed_households"] == 1


def test_no_candidates_changes_nothing_when_the_dates_share_parameters(register):
    report = simulate(region="141029", candidates=[], on=dt.date(2026, 7, 1), today=TODAY)
    assert report["total"]["changed_households"] == 0
    assert report["total"]["yearly_cost_before"] == report["total"]["yearly_cost_after"]


def test_unknown_candidate_parameter_is_refused(register):
    from safetynet.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        simulate(region="141029", candidates=[_entry("no.such", "1")], on=NEXT, today=TODAY)
    assert err.value.code == "parameter_unknown"


def test_two_lines_show_the_gap_between_the_monitoring_line_and_the_edge_line(db):
    rows = {
        r["year"]: r
        for r in two_lines(
            "141029", range(2024, 2028), candidates=[_entry("monitoring.line_annual", "10800")]
        )
    }
    r2026 = rows[2026]
    assert r2026["edge_line"] == Decimal("1.5") * Decimal(600) * 12
    assert r2026["gap"] == r2026["edge_line"] - r2026["monitoring_line"]
    assert rows[2027]["gap"] == 0  # 两线合一 reached by the candidate
    assert not r2026["verified"]


def test_simulate_command_prints_json(register, capsys):
    call_command(
        "simulate",
        "--on",
        "2027-01-01",
        "--today",
        "2026-06-01",
        "--set",
        "dibao.standard_monthly.rural=650",
        "--json",
    )
    report = json.loads(capsys.readouterr().out)
    assert report["total"]["changed_households"] == 1
    assert report["two_lines"][-1]["year"] == 2027


def test_simulate_command_refuses_a_malformed_candidate(register, capsys):
    with pytest.raises(CommandError):
        call_command("simulate", "--on", "2027-01-01", "--set", "dibao.standard_monthly.rural", "--json")
    assert json.loads(capsys.readouterr().out)["field"] == "set"
