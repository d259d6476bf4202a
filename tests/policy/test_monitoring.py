"""防返贫监测 (POLICY.md §8): inside the income range *and at risk*, and the trace says which reading.

At risk = judged at risk at investigation (`risk_judgement: true`), or no judgement recorded and
at least one declared risk event; a recorded "not at risk" judgement wins over the events.
"""

import copy
from datetime import date

import numpy as np
import pytest

from safetynet.core.errors import ValidationFailed
from safetynet.policy import (
    HouseholdTable,
    assess,
    assess_batch,
    assess_json,
    load_parameters,
    parse_household,
)
from safetynet.policy.table import HOUSEHOLD_COLUMNS

from .test_validation import household, refuse

ON = date(2025, 6, 1)
PARAMS = load_parameters("141029").on(ON)


def inside_the_range(*, alleviated=False, events=(), **extra) -> dict:
    """Two rural members on 600 a month each: 7,200 a year, inside the 7,400 range; 边缘."""
    data = copy.deepcopy(household())
    data["alleviated"] = alleviated
    data["members"][0]["income_12m"]["wage"] = 14400
    data["members"][1]["income_12m"]["wage"] = 0
    data["risk_events"] = list(events)
    data.update(extra)
    return data


def mark_entry(result: dict) -> dict:
    (entry,) = [e for e in result["trace"] if e["rule"] == "monitoring_mark"]
    return entry


@pytest.mark.parametrize(
    ("extra", "events", "marked", "reason"),
    [
        ({}, (), False, "inside_range_not_at_risk"),
        ({"risk_judgement": None}, (), False, "inside_range_not_at_risk"),
        ({}, ("illness",), True, "inside_range_at_risk_by_event"),
        ({"risk_judgement": None}, ("education",), True, "inside_range_at_risk_by_event"),
        ({"risk_judgement": True}, (), True, "inside_range_at_risk_by_judgement"),
        ({"risk_judgement": True}, ("illness",), True, "inside_range_at_risk_by_judgement"),
        ({"risk_judgement": False}, ("illness", "disaster"), False, "inside_range_judged_not_at_risk"),
        ({"risk_judgement": False}, (), False, "inside_range_judged_not_at_risk"),
    ],
)
def test_the_trace_names_the_reading_of_at_risk(extra, events, marked, reason):
    result = assess_json(inside_the_range(events=events, **extra), ON)
    assert result["monitoring"] == {"marked": marked, "type": "edge_prone" if marked else None}
    entry = mark_entry(result)
    assert entry["result"]["reason"] == reason
    assert entry["result"]["at_risk"] is marked
    assert entry["inputs"]["risk_judgement"] == extra.get("risk_judgement")
    assert "POLICY.md §8" in entry["clause"]


def test_an_alleviated_household_at_risk_is_unstable_alleviated_either_way():
    by_event = assess_json(inside_the_range(alleviated=True, events=("accident",)), ON)
    by_judgement = assess_json(inside_the_range(alleviated=True, risk_judgement=True), ON)
    assert by_event["monitoring"]["type"] == by_judgement["monitoring"]["type"] == "unstable_alleviated"


def test_sudden_hardship_is_unchanged_above_the_range():
    data = inside_the_range(events=("illness",))
    data["members"][0]["income_12m"]["wage"] = 30000  # 1,250 a month each: above the range
    data["rigid_expenditure_12m"]["medical"] = 40000  # heavy against 30,000 of income
    result = assess_json(data, ON)
    assert result["monitoring"] == {"marked": True, "type": "sudden_hardship"}
    assert mark_entry(result)["result"]["reason"] == "risk_event_with_heavy_rigid_expenditure"


def test_an_urban_household_is_never_monitored_whatever_the_judgement():
    result = assess_json(inside_the_range(events=("illness",), risk_judgement=True, hukou="urban"), ON)
    assert result["monitoring"] == {"marked": False, "type": None}


@pytest.mark.parametrize("bad", ["true", 1, 0, "yes", [], {}])
def test_a_non_boolean_risk_judgement_is_refused_naming_the_field(bad):
    refuse(lambda d: d.update(risk_judgement=bad), "risk_judgement", "invalid")


def test_the_table_carries_the_judgement_as_an_int8_column():
    datas = [inside_the_range(risk_judgement=j) for j in (None, False, True)] + [inside_the_range()]
    table = HouseholdTable.from_households([parse_household(d, on=ON) for d in datas])
    column = table.households["risk_judgement"]
    assert column.dtype == np.int8 and column.tolist() == [-1, 0, 1, -1]
    assert HOUSEHOLD_COLUMNS["risk_judgement"] is np.int8


def test_a_register_without_the_judgement_column_reads_as_no_judgement_recorded():
    datas = [inside_the_range(events=("illness",)), inside_the_range()]
    table = HouseholdTable.from_households([parse_household(d, on=ON) for d in datas])
    columns = {k: v for k, v in table.households.items() if k != "risk_judgement"}
    older = HouseholdTable.from_columns(columns, table.members)
    assert older.households["risk_judgement"].tolist() == [-1, -1]
    assert assess_batch(older, PARAMS).monitoring_names().tolist() == ["edge_prone", None]


def test_a_judgement_column_outside_minus_one_to_one_is_refused():
    table = HouseholdTable.from_households([parse_household(inside_the_range(), on=ON)])
    columns = dict(table.households, risk_judgement=np.array([2]))
    with pytest.raises(ValidationFailed) as e:
        HouseholdTable.from_columns(columns, table.members)
    assert e.value.field == "risk_judgement"


def test_single_and_batch_read_at_risk_alike_and_the_compact_trace_names_the_reading():
    cases = [
        ({}, ()),
        ({}, ("illness",)),
        ({"risk_judgement": True}, ()),
        ({"risk_judgement": False}, ("illness",)),
        ({"risk_judgement": None}, ("disaster",)),
    ]
    parsed = [parse_household(inside_the_range(events=ev, **extra), on=ON) for extra, ev in cases]
    batch = assess_batch(HouseholdTable.from_households(parsed), PARAMS, reasons=True)
    reasons = batch.reasons.decode("monitoring_mark").tolist()
    for i, h in enumerate(parsed):
        one = assess(h, PARAMS)
        assert batch.household_row(i)["monitoring"]["type"] == one.monitoring_type
        assert reasons[i] == mark_entry({"trace": one.trace})["result"]["reason"]
    assert reasons == [
        "inside_range_not_at_risk",
        "inside_range_at_risk_by_event",
        "inside_range_at_risk_by_judgement",
        "inside_range_judged_not_at_risk",
        "inside_range_at_risk_by_event",
    ]


def test_the_trace_quotes_the_reason_of_a_recorded_judgement():
    result = assess_json(
        inside_the_range(risk_judgement=True, risk_judgement_reason="户主重病，无稳定收入"), ON
    )
    entry = mark_entry(result)
    assert entry["result"]["reason"] == "inside_range_at_risk_by_judgement"
    assert entry["inputs"]["risk_judgement_reason"] == "户主重病，无稳定收入"
    # without a judgement there is no reason to quote, whatever the input says
    plain = mark_entry(assess_json(inside_the_range(events=("illness",), risk_judgement_reason="x"), ON))
    assert "risk_judgement_reason" not in plain["inputs"]


@pytest.mark.parametrize("bad", [1, True, [], {}])
def test_a_non_text_judgement_reason_is_refused_naming_the_field(bad):
    refuse(
        lambda d: d.update(risk_judgement=True, risk_judgement_reason=bad), "risk_judgement_reason", "invalid"
    )
