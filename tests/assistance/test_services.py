"""The plan's services on their own: the 住建 grade read from the department data, suggestions
reproducible (facts, parameter version and digest stored), generation idempotent, a declined
suggestion not offered again, and the entitlement (not an assessment) deciding."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.assistance import services
from safetynet.assistance.models import Measure
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, PermissionDenied
from safetynet.verification import services as exchange
from tests.assistance.conftest import NamedBytes, person
from tests.conftest import VILLAGE_A, member

pytestmark = pytest.mark.django_db


def _upload_housing(admin, id_number: str, grade: str):
    data = (
        f"id_number,name,grade,assessed_on,as_of\n{id_number},某某,{grade},2026-03-01,2026-05-01\n".encode()
    )
    out = exchange.upload_department_file(
        user=admin, source="housing", file=NamedBytes(data, "h.csv"), filename="h.csv"
    )
    assert out.upload.loaded, out.upload.errors


def test_a_d_grade_house_in_the_housing_data_suggests_housing_repair(poor, clerk, make_user):
    admin = make_user(Role.ADMIN, "141029", "exchange_admin")
    head = person(poor, "赵铁柱")
    assert services.house_grade(poor) == ""
    _upload_housing(admin, head.id_number, "D")
    assert services.house_grade(poor) == "D"
    made = services.generate_suggestions(user=clerk, household=poor)
    repair = next(m for m in made if m.kind == "housing_repair")
    assert (repair.person_id, repair.department, repair.reason) == (head.pk, "housing", "grade_D_dibao")
    assert repair.facts["house_grade"] == "D" and repair.parameters_version.startswith("141029/")
    assert len(repair.parameters_digest) == 64


def test_generation_is_idempotent_and_a_declined_suggestion_is_not_offered_again(poor, clerk):
    first = services.generate_suggestions(user=clerk, household=poor)
    assert len(first) == 7
    emp = next(m for m in first if m.kind == "employment")
    services.decline_measure(user=clerk, measure=emp, reason="已务工")
    assert services.generate_suggestions(user=clerk, household=poor) == []
    audit = AuditRecord.objects.filter(action="assistance.suggest").order_by("seq")
    assert audit.count() == 2 and len(audit.first().changes["measures"]) == 7
    assert "premium_subsidy" in audit.first().changes["rules"]
    with pytest.raises(Conflict):
        services.accept_measure(user=clerk, measure=emp)


def test_a_household_without_an_entitlement_on_the_day_gets_no_recipient_measures(make_household, clerk):
    hh = make_household(VILLAGE_A, members=[member("head", name="吴无业", birth=dt.date(1985, 1, 1))])
    assert services.generate_suggestions(user=clerk, household=hh) == []
    # The same family entitled only from next month is not a recipient today.
    assert services.household_facts(hh, dt.date(2026, 6, 1), grade="").category == "none"


def test_the_entitlement_on_the_day_decides(poor, clerk):
    before = services.household_facts(poor, dt.date(2025, 12, 31), grade="")
    during = services.household_facts(poor, dt.date(2026, 1, 1), grade="")
    assert before.category == "none" and during.category == "dibao"
    assert services.generate_suggestions(user=clerk, household=poor, on=dt.date(2025, 12, 31)) == []
    assert not Measure.objects.exists()


def test_only_the_plan_roles_may_write(poor, make_user):
    for role in (Role.VILLAGE_OFFICER, Role.REVIEW_MEMBER, Role.AUDITOR, Role.COUNTY_AGRI, Role.DEPT_LIAISON):
        with pytest.raises(PermissionDenied):
            services.generate_suggestions(user=make_user(role), household=poor)
    county = make_user(Role.COUNTY_CIVIL)
    assert len(services.generate_suggestions(user=county, household=poor)) == 7


def test_the_area_batch_suggests_what_one_household_at_a_time_would(poor, clerk, make_user, make_household):
    from safetynet.assistance.batch import suggest_for_area
    from tests.assistance.conftest import entitle
    from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_B, VILLAGE_C

    admin = make_user(Role.ADMIN, "141029", "exchange_admin")
    _upload_housing(admin, person(poor, "赵铁柱").id_number, "C")
    other = make_household(
        VILLAGE_B, members=[member("head", name="冯老汉", birth=dt.date(1940, 1, 1), labour_capacity="none")]
    )
    entitle(other, "tekun")
    make_household(VILLAGE_B, members=[member("head", name="陈富裕")])  # no row: no plan
    far = make_household(VILLAGE_C, members=[member("head", name="褚远方")])
    entitle(far)
    with pytest.raises(NotFound):
        suggest_for_area(user=clerk, area_code=GUANGHUA)
    out = suggest_for_area(user=clerk, area_code=CHANGNING)
    assert out == {"households": 3, "in_plan": 2, "measures": 8 + 1}
    batch = sorted(
        Measure.objects.values_list("household_id", "person_id", "kind", "rule", "amount", "reason")
    )
    assert not Measure.objects.filter(household=far).exists()
    assert AuditRecord.objects.filter(action="assistance.suggest").count() == 2
    assert suggest_for_area(user=clerk, area_code=CHANGNING)["measures"] == 0
    # The same as the household-at-a-time generation.
    Measure.objects.all().delete()
    for hh in (poor, other):
        services.generate_suggestions(user=clerk, household=hh)
    one_by_one = sorted(
        Measure.objects.values_list("household_id", "person_id", "kind", "rule", "amount", "reason")
    )
    assert batch == one_by_one
    assert ("housing_repair", "grade_C_dibao") in {(k, r) for _, _, k, _, _, r in batch}
