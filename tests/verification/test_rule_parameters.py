"""The comparison rules read their thresholds from the one dated, sourced parameter store, for the
day of the run, and a run records which parameters it used."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.assessments import services as assessments
from safetynet.cases.comparison import compare_and_file_leads
from safetynet.cases.models import Lead
from safetynet.policy import ParameterError, load_parameters
from safetynet.verification import rules
from safetynet.verification.comparison import rule_params
from safetynet.verification.rules import RULES, RuleParams
from tests.verification.test_compare import loaded  # noqa: F401 — the department files of test_compare

ON = dt.date(2026, 6, 1)
RUN_ON = dt.date(2026, 5, 15)
NAMES = sorted({n for r in RULES for n in r.parameters})


def test_there_is_no_second_store_of_thresholds():
    assert not hasattr(rules, "PARAMETERS") and not hasattr(rules, "Parameter")
    assert {n for n in NAMES if n.startswith("comparison.")} == {
        "comparison.medical_self_paid_high",
        "comparison.disability_new_days",
        "comparison.disability_severe_grade",
        "comparison.disaster_loss_high",
        "comparison.disaster_window_days",
        "comparison.controlling_share_pct",
    }


@pytest.mark.parametrize("name", NAMES)
def test_each_threshold_a_rule_reads_is_a_dated_sourced_parameter(name):
    p = load_parameters("141029").on(ON)
    meta = p.meta(name)
    assert p.label(name) and p.unit(name)
    assert meta.effective_from <= ON
    assert meta.reference != "示例值，待核" and any(m in meta.reference for m in ("号", "法", "GB/T", "通知"))
    if "无正式文件" in meta.reference or "假定" in meta.reference:
        assert meta.verified is False


def test_rule_params_are_typed_values_of_the_store_with_its_version_and_digest():
    p = load_parameters("141029").on(ON)
    params = RuleParams.of(p)
    assert params["comparison.medical_self_paid_high"] == Decimal("20000")
    assert (
        params["comparison.disability_severe_grade"] == 2 and params["comparison.disaster_window_days"] == 365
    )
    assert params["comparison.controlling_share_pct"] == Decimal("50")
    assert params.rural_standard == Decimal("600") and params["assets.homes_max"] == 1
    assert params.version == p.version and params.digest == p.digest() and len(params.digest) == 64
    assert set(NAMES) <= p.used


def test_a_day_without_a_value_in_force_fails():
    with pytest.raises(ParameterError) as error:
        RuleParams.of(load_parameters("141029").on(dt.date(2023, 12, 31)))
    assert error.value.code == "parameter_missing"


@pytest.mark.django_db
def test_an_officer_value_is_read_from_its_date(users):
    assessments.add_parameter_value(
        user=users["county_civil"],
        region="141029",
        name="comparison.medical_self_paid_high",
        value="40000",
        effective_from=dt.date(2026, 5, 1),
        reference="乡宁县大数据比对工作通知 第三条（测试）",
        verified=True,
    )
    assert rule_params(dt.date(2026, 4, 30))["comparison.medical_self_paid_high"] == Decimal("20000")
    assert rule_params(dt.date(2026, 5, 1))["comparison.medical_self_paid_high"] == Decimal("40000")


@pytest.mark.django_db
def test_a_run_records_the_parameters_it_used(small_register):
    run = compare_and_file_leads(on=RUN_ON).run
    expected = assessments.parameter_set("141029").on(RUN_ON)
    assert run.parameters["on"] == "2026-05-15"
    assert run.parameters["version"] == expected.version and run.parameters["digest"] == expected.digest()
    assert run.parameters["values"]["comparison.disaster_loss_high"] == "10000"
    assert run.parameters["values"]["dibao.standard_monthly.rural"] == "600"


@pytest.mark.django_db
@pytest.mark.usefixtures("loaded")
def test_a_raised_threshold_changes_what_the_run_finds(users):
    assessments.add_parameter_value(
        user=users["county_civil"],
        region="141029",
        name="comparison.medical_self_paid_high",
        value="40000",
        effective_from=dt.date(2026, 5, 1),
        reference="乡宁县大数据比对工作通知 第三条（测试）",
        verified=True,
    )
    run = compare_and_file_leads(on=RUN_ON).run
    assert not Lead.objects.filter(rule="unassisted_high_medical").exists()
    assert run.summary["unassisted_high_medical"]["hits"] == 0
    assert run.parameters["values"]["comparison.medical_self_paid_high"] == "40000"
    assert Lead.objects.filter(rule="unassisted_disaster_loss").exists()  # other thresholds unchanged
