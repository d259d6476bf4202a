import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from safetynet.assessments import services
from safetynet.assessments.inputs import household_input
from safetynet.assessments.models import Assessment, AssessmentRun, ParameterEntry
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import PermissionDenied, ValidationFailed
from tests.conftest import VILLAGE_A, member

ON = dt.date(2026, 6, 1)


@pytest.fixture
def poor_household(make_household):
    """Two working-age adults with 3,600 yuan a year between them: clearly below the 低保 standard."""
    return make_household(
        VILLAGE_A,
        members=[
            member("head", birth=dt.date(1980, 1, 1), income_wage_12m=Decimal("3600")),
            member("spouse", name="李红", birth=dt.date(1982, 2, 2)),
        ],
    )


def test_household_input_follows_the_policy_contract(poor_household):
    data = household_input(poor_household)
    assert data["region"] == VILLAGE_A and data["hukou"] == "rural"
    assert [m["relation"] for m in data["members"]] == ["head", "spouse"]
    assert data["members"][0]["income_12m"]["wage"] == "3600.00"


def test_assessment_is_stored_with_inputs_and_parameter_version_and_recomputes_identically(
    poor_household, users
):
    row = services.assess_household(user=users["township_clerk"], household_id=poor_household.pk, on=ON)
    assert row.category == "dibao"
    assert row.family_size == 2 and row.per_capita_monthly_income == Decimal("150.00")
    assert row.parameters_version.startswith("141029/") and len(row.parameters_digest) == 64
    assert "dibao.standard_monthly.rural" in row.unverified_parameters
    assert row.result["trace"]
    assert services.recompute(row) == row.result
    assert AuditRecord.objects.filter(action="assessment.create", object_id=str(poor_household.pk)).exists()


def test_a_later_parameter_value_does_not_change_a_past_decision(poor_household, users):
    row = services.assess_household(user=users["township_clerk"], household_id=poor_household.pk, on=ON)
    services.add_parameter_value(
        user=users["county_civil"],
        region="141029",
        name="dibao.standard_monthly.rural",
        value="900",
        effective_from=dt.date(2026, 1, 1),
        reference="测试通知 第一条",
        verified=True,
    )
    assert services.recompute(row) == row.result
    newer = services.assess_household(user=users["township_clerk"], household_id=poor_household.pk, on=ON)
    assert newer.benefit_monthly > row.benefit_monthly
    assert "dibao.standard_monthly.rural" not in newer.unverified_parameters


def test_parameter_values_are_appended_with_history_and_audited(users):
    before = services.parameter_set("141029").on(ON)["dibao.standard_monthly.rural"]
    services.add_parameter_value(
        user=users["county_civil"],
        region="141029",
        name="dibao.standard_monthly.rural",
        value="650",
        effective_from=dt.date(2026, 7, 1),
        reference="乡宁县通知 第二条",
        verified=False,
    )
    ps = services.parameter_set("141029")
    assert ps.on(ON)["dibao.standard_monthly.rural"] == before
    assert ps.on(dt.date(2026, 7, 1))["dibao.standard_monthly.rural"] == Decimal("650")
    assert len(ps.history("dibao.standard_monthly.rural")) >= 4
    rec = AuditRecord.objects.get(action="parameter.add")
    assert rec.changes["value"][1] == "650"


def test_parameter_value_needs_the_role_a_reference_and_a_valid_value(users):
    with pytest.raises(PermissionDenied):
        services.add_parameter_value(
            user=users["township_clerk"],
            region="141029",
            name="edge.income_multiplier",
            value="1.6",
            effective_from=ON,
            reference="x",
            verified=False,
        )
    with pytest.raises(ValidationFailed) as err:
        services.add_parameter_value(
            user=users["county_civil"],
            region="141029",
            name="edge.income_multiplier",
            value="1.6",
            effective_from=ON,
            reference=" ",
            verified=False,
        )
    assert err.value.code == "parameter_without_reference"
    with pytest.raises(ValidationFailed) as err:
        services.add_parameter_value(
            user=users["county_civil"],
            region="141029",
            name="no.such.parameter",
            value="1",
            effective_from=ON,
            reference="x",
            verified=False,
        )
    assert err.value.code == "parameter_unknown"
    assert not ParameterEntry.objects.exists()


def test_register_run_stores_every_household_and_matches_single_assessment(
    make_household, poor_household, users
):
    make_household(
        VILLAGE_A, members=[member("head", birth=dt.date(1950, 1, 1), income_wage_12m=Decimal("90000"))]
    )
    run = services.assess_register(on=ON)
    assert run.households == 2
    assert Assessment.objects.filter(run=run).count() == 2
    batch = Assessment.objects.get(run=run, household=poor_household)
    single = services.assess_household(user=users["township_clerk"], household_id=poor_household.pk, on=ON)
    for field in (
        "category",
        "monitoring_type",
        "family_size",
        "per_capita_monthly_income",
        "benefit_monthly",
    ):
        assert getattr(batch, field) == getattr(single, field), field
    assert batch.parameters_version == single.parameters_version


def test_assess_register_command_prints_a_summary(poor_household, capsys):
    call_command("assess-register", "--on", "2026-06-01")
    out = capsys.readouterr().out.strip().splitlines()[-1]
    summary = json.loads(out)
    assert summary["households"] == 1 and summary["categories"]["dibao"] == 1
    assert AssessmentRun.objects.count() == 1
