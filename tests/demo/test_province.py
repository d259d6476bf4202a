"""The province loader at a tiny size: the shape it writes (counts, every member in one household,
IDs encrypted and blind-indexed as on the real path, the entitlement timeline consistent with the
assessments), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, F, Q

from safetynet.accounts.models import User
from safetynet.assessments.models import Assessment, AssessmentRun
from safetynet.cases.models import OPEN_STATES, Case, CaseTransition, Lead
from safetynet.core.resident_id import parse_resident_id
from safetynet.demo.province import bench_targets, load_province
from safetynet.entitlements.models import Entitlement, EntitlementMember
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Area, Household, Membership, Person

ON = dt.date(2026, 6, 1)


@pytest.fixture
def province(db):
    # 2 counties × 150 households, in chunks of 40: several chunks a county, each with its own ids.
    return load_province(households=300, counties=2, on=ON, workers=1, chunk_households=40, seed=7)


def test_province_has_the_counties_townships_and_households_asked_for(province):
    counties = Area.objects.filter(level=Area.Level.COUNTY)
    assert counties.count() == 2
    assert Area.objects.filter(level=Area.Level.TOWNSHIP, parent__in=counties).count() == 20
    assert Household.objects.count() == 300
    for county in counties:
        assert Household.objects.filter(village__code__startswith=county.code).count() == 150
    assert province["households"] == 300
    assert province["persons"] == Person.objects.count()
    assert 2.3 <= Person.objects.count() / 300 <= 3.3  # the demo's families, about 2.8 people
    assert User.objects.filter(username="town_changning").exists()  # the demo's accounts


def test_every_person_is_a_current_member_of_exactly_one_household_and_every_head_a_member(province):
    members = Counter(Membership.objects.filter(left_on__isnull=True).values_list("person_id", flat=True))
    assert set(members) == set(Person.objects.values_list("id", flat=True))
    assert set(members.values()) == {1}
    for hh in Household.objects.all():
        assert Membership.objects.filter(household=hh, person_id=hh.head_id, relation="head").exists()
    # each row carries its household's village (models.Membership.village: the search's index)
    assert not Membership.objects.exclude(village_id=F("household__village_id")).exists()
    # and its person's initials (models.Membership.name_initials: the search by initials)
    assert not Membership.objects.exclude(name_initials=F("person__name_initials")).exists()


def test_id_numbers_are_encrypted_at_rest_and_blind_indexed_like_the_register(province):
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_index FROM registry_person")
        raw = cur.fetchall()
    assert raw and all(token.startswith("gAAAA") for token, _ in raw)  # Fernet tokens, no plaintext
    numbers = set()
    for p in Person.objects.all():
        parse_resident_id(p.id_number)  # a valid 18-digit number with its check digit
        assert p.id_index == blind_index(p.id_number)
        numbers.add(p.id_number)
    assert len(numbers) == len(raw)


def test_open_entitlements_are_the_current_assessments_and_the_timeline_does_not_overlap(province):
    runs = AssessmentRun.objects.filter(assessed_on=ON)
    current = {a.household_id: a for a in Assessment.objects.filter(run__in=runs)}
    assert len(current) == 300
    open_rows = {e.household_id: e for e in Entitlement.objects.filter(valid_until__isnull=True)}
    entitled = {h for h, a in current.items() if a.category != "none" or a.monitoring_type}
    assert set(open_rows) == entitled
    assert len(entitled) > 100
    for h, row in open_rows.items():
        a = current[h]
        assert (row.category, row.benefit_monthly, row.monitoring_type) == (
            a.category,
            a.benefit_monthly,
            a.monitoring_type,
        )
        assert row.valid_from < ON
    # A year of history: rows from a year ago, closed rows followed by the next one.
    assert Entitlement.objects.filter(valid_from=ON - dt.timedelta(days=365)).exists()
    for row in Entitlement.objects.filter(valid_until__isnull=False):
        nxt = Entitlement.objects.get(previous=row)
        assert nxt.valid_from == row.valid_until and nxt.household_id == row.household_id
    # Every member row is a counted member of the household (or one individually recognised).
    for m in EntitlementMember.objects.select_related("entitlement"):
        assert Membership.objects.filter(
            household_id=m.entitlement.household_id, person_id=m.person_id
        ).exists()
    # Each row stores how many member rows it has.
    counted = Entitlement.objects.annotate(n=Count("members")).filter(~Q(people=F("n")))
    assert not counted.exists()
    assert Entitlement.objects.filter(people__gt=1).exists()
    assert Assessment.objects.filter(run__assessed_on=ON - dt.timedelta(days=365)).count() > 200


def test_cases_and_leads_follow_the_workflow(province):
    assert Case.objects.count() > 0 and Lead.objects.count() > 0
    open_per_household = Counter(
        Case.objects.filter(state__in=OPEN_STATES).values_list("household_id", flat=True)
    )
    assert set(open_per_household.values()) <= {1}
    for case in Case.objects.all():
        moves = list(
            CaseTransition.objects.filter(case=case).order_by("id").values_list("to_state", flat=True)
        )
        assert moves[0] == "accepted" and moves[-1] == case.state
    for lead in Lead.objects.filter(status="in_case"):
        assert lead.case.household_id == lead.household_id
    for archived in Case.objects.filter(state="archived"):
        assert Entitlement.objects.filter(case=archived, basis="admission").exists()


def test_the_loader_refuses_a_database_that_already_holds_households(province):
    with pytest.raises(RuntimeError):
        load_province(households=10, counties=1, on=ON, workers=1)
    assert Household.objects.count() == 300


def test_bench_targets_name_a_township_household_and_open_case_of_the_configured_county(province):
    t = bench_targets()
    assert t["township"].startswith("141029")
    hh = Household.objects.get(pk=t["household"])
    assert hh.village.parent.code == t["township"]
    assert hh.head.name == t["name"] and hh.head.id_number == t["id_number"]
    if t["case"]:
        assert Case.objects.get(pk=t["case"]).household_id == hh.pk
