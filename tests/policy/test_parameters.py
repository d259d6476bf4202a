"""The parameter store: dated values with sources, appended never edited, digests that show change."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from safetynet.core.errors import ValidationFailed
from safetynet.policy import ParameterError, ParameterSet

REQUIRED = [
    "dibao.standard_monthly.urban",
    "dibao.standard_monthly.rural",
    "dibao.individual_benefit_ratio",
    "dibao.classified_increment.old",
    "dibao.classified_increment.minor",
    "dibao.classified_increment.severe_disability",
    "dibao.classified_increment.serious_illness",
    "dibao.gradual_exit_months",
    "tekun.basic_ratio",
    "tekun.care_monthly.self_care",
    "tekun.care_monthly.partial",
    "tekun.care_monthly.total",
    "edge.income_multiplier",
    "rigid.disposable_income_prev_year.urban",
    "rigid.disposable_income_prev_year.rural",
    "rigid.expenditure_ratio",
    "monitoring.line_annual",
    "monitoring.transition_end",
    "assets.financial_months",
    "income.window_months",
    "procedure.deadline_working_days",
    "procedure.extended_working_days",
    "procedure.notice_min_days",
]


def test_county_file_has_every_public_parameter_name_with_label_unit_and_source():
    ps = ParameterSet.load("141029")
    for name in REQUIRED:
        definition = ps.definitions[name]
        assert definition.label and definition.unit
        assert all(v.reference and v.verified is False for v in definition.values)


def test_values_in_force_follow_the_effective_date():
    ps = ParameterSet.load("141029")
    assert ps.on(date(2024, 12, 31))["dibao.standard_monthly.rural"] == Decimal("560")
    assert ps.on(date(2025, 1, 1))["dibao.standard_monthly.rural"] == Decimal("580")
    assert ps.on(date(2026, 6, 1))["dibao.standard_monthly.urban"] == Decimal("800")


def test_values_have_the_type_of_their_unit():
    p = ParameterSet.load("141029").on(date(2026, 6, 1))
    assert isinstance(p["tekun.basic_ratio"], Decimal) and p["tekun.basic_ratio"] == Decimal("1.3")
    assert p["income.window_months"] == 12 and isinstance(p["income.window_months"], int)
    assert p["monitoring.transition_end"] == date(2025, 12, 31)


def test_village_code_falls_back_to_its_county():
    assert ParameterSet.load("141029201001").region == "141029"


def test_unknown_region_and_bad_code_are_refused():
    with pytest.raises(ValidationFailed) as e:
        ParameterSet.load("999999")
    assert e.value.code == "unknown_region"
    with pytest.raises(ValidationFailed):
        ParameterSet.load("14x")


def test_parameter_without_reference_fails_to_load(tmp_path):
    (tmp_path / "141029.yaml").write_text(
        "parameters:\n  dibao.standard_monthly.rural:\n    label: 农村低保标准\n    unit: yuan/month\n"
        "    values:\n      - {effective_from: 2024-01-01, value: 560, verified: false}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError) as e:
        ParameterSet.load("141029", directory=tmp_path)
    assert e.value.code == "parameter_without_reference"
    assert "reference" in e.value.message


def test_appended_entry_without_reference_is_refused():
    with pytest.raises(ParameterError):
        ParameterSet.load(
            "141029",
            extra_entries=[
                {
                    "name": "dibao.standard_monthly.rural",
                    "value": 600,
                    "effective_from": "2025-07-01",
                    "verified": True,
                }
            ],
        )


def test_officer_entry_is_appended_and_supersedes_from_its_date_keeping_history():
    base = ParameterSet.load("141029")
    entry = {
        "name": "dibao.standard_monthly.rural",
        "value": 590,
        "effective_from": "2025-07-01",
        "reference": "乡宁县民政局〔2025〕X号",
        "verified": True,
        "source": "officer:7",
    }
    ps = ParameterSet.load("141029", extra_entries=[entry])
    assert ps.on(date(2025, 6, 30))["dibao.standard_monthly.rural"] == Decimal("580")
    july = ps.on(date(2025, 7, 1))
    assert july["dibao.standard_monthly.rural"] == Decimal("590")
    assert july.unverified_names() == []  # the verified entry is the one in force and the only one used
    assert (
        len(ps.history("dibao.standard_monthly.rural"))
        == len(base.history("dibao.standard_monthly.rural")) + 1
    )
    assert ps.version != base.version
    assert base.on(date(2025, 7, 1))["dibao.standard_monthly.rural"] == Decimal("580")  # base untouched


def test_correction_with_the_same_date_wins_over_the_earlier_entry():
    ps = ParameterSet.load("141029").with_entry(
        {
            "name": "tekun.basic_ratio",
            "value": "1.4",
            "effective_from": "2024-01-01",
            "reference": "更正",
            "verified": True,
        }
    )
    assert ps.on(date(2024, 6, 1))["tekun.basic_ratio"] == Decimal("1.4")


def test_unknown_parameter_entry_is_refused():
    with pytest.raises(ParameterError) as e:
        ParameterSet.load("141029").with_entry({"name": "no.such", "value": 1})
    assert e.value.code == "parameter_unknown"


def test_digest_is_stable_and_changes_with_the_values_in_force():
    ps = ParameterSet.load("141029")
    assert ps.on(date(2025, 6, 1)).digest() == ParameterSet.load("141029").on(date(2025, 6, 1)).digest()
    assert ps.on(date(2025, 6, 1)).digest() == ps.on(date(2025, 6, 2)).digest()
    assert ps.on(date(2025, 6, 1)).digest() != ps.on(date(2026, 6, 1)).digest()


def test_unverified_names_track_only_values_read():
    p = ParameterSet.load("141029").on(date(2025, 6, 1))
    assert p.unverified_names() == []
    p["tekun.basic_ratio"]
    assert p.unverified_names() == ["tekun.basic_ratio"]
    assert len(p.unverified_names(used_only=False)) == len(p.entries)


def test_parameter_with_no_value_yet_cannot_be_read():
    p = ParameterSet.load("141029").on(date(2000, 1, 1))
    with pytest.raises(ParameterError) as e:
        p["dibao.standard_monthly.rural"]
    assert e.value.code == "parameter_missing"


def test_policy_package_imports_nothing_from_django():
    code = (
        "import sys, safetynet.policy as p; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
