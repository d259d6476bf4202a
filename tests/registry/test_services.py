import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, ValidationFailed
from safetynet.registry import inputs, selectors, services
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Area, Household, Membership, Person
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_B, VILLAGE_C, member, new_id


def test_household_is_created_with_its_head_members_and_audit(make_household):
    h = make_household(
        VILLAGE_A, members=[member("head"), member("spouse", name="李红", birth=dt.date(1972, 3, 1))]
    )
    assert h.head.name == "张小明"
    assert h.memberships.filter(counted=True).count() == 2
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"household.create", "person.create"} <= actions


def test_person_sex_and_birth_date_come_from_the_id(make_household):
    h = make_household(members=[member(birth=dt.date(1955, 2, 28))])
    assert h.head.birth_date == dt.date(1955, 2, 28)
    assert h.head.sex in ("M", "F")


def test_entered_birth_date_that_contradicts_the_id_is_refused(make_household):
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[member(birth=dt.date(1955, 2, 28), birth_date=dt.date(1955, 3, 1))])
    assert err.value.code == "birth_date_mismatch"
    assert err.value.field == "members[0].birth_date"
    assert "1955-02-28" in err.value.message


def test_entered_sex_that_contradicts_the_id_is_refused(make_household):
    number = new_id()
    wrong = "F" if int(number[16]) % 2 else "M"
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[member(id_number=number, sex=wrong)])
    assert err.value.code == "sex_mismatch"


def test_invalid_id_names_the_member_field_and_nothing_is_saved(make_household):
    before = (Household.objects.count(), Person.objects.count())
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[member("head"), member("child", id_number="141029201501011234")])
    assert err.value.field == "members[1].id_number"
    assert (Household.objects.count(), Person.objects.count()) == before


def test_person_counted_in_another_household_is_refused_and_the_household_named(make_household, clerk):
    shared = new_id()
    first = make_household(VILLAGE_A, members=[member(id_number=shared, name="王建国")])
    before = (Household.objects.count(), Person.objects.count(), Membership.objects.count())
    with pytest.raises(Conflict) as err:
        services.create_household(
            user=clerk,
            village_code=VILLAGE_A,
            address="x",
            hukou="rural",
            members=[member(), member("child", id_number=shared, name="王建国")],
        )
    assert err.value.code == "member_in_other_household"
    assert err.value.field == "members[1].id_number"
    assert f"户{first.pk}" in err.value.message and "王建国" in err.value.message
    assert (Household.objects.count(), Person.objects.count(), Membership.objects.count()) == before


def test_household_holding_a_person_is_not_named_to_someone_outside_its_area(make_household, make_user):
    shared = new_id()
    first = make_household(VILLAGE_A, members=[member(id_number=shared)])
    other_clerk = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    with pytest.raises(Conflict) as err:
        services.create_household(
            user=other_clerk,
            village_code=VILLAGE_C,
            address="x",
            hukou="rural",
            members=[member(id_number=shared)],
        )
    assert f"户{first.pk}" not in err.value.message
    assert "不在您的管辖范围内" in err.value.message


def test_person_may_be_counted_in_one_household_and_listed_uncounted_in_another(make_household):
    shared = new_id()
    make_household(VILLAGE_A, members=[member(id_number=shared)])
    h2 = make_household(VILLAGE_A, members=[member(), member("child", id_number=shared, co_resident=False)])
    m = h2.memberships.get(relation="child")
    assert not m.counted and m.not_counted_reason == "not_coresident"


def test_a_member_who_leaves_can_be_counted_in_a_new_household(make_household, clerk):
    shared = new_id(dt.date(1990, 1, 1))
    h1 = make_household(
        VILLAGE_A, members=[member(), member("child", id_number=shared, birth=dt.date(1990, 1, 1))]
    )
    m = h1.memberships.get(relation="child")
    services.end_membership(user=clerk, household=h1, membership=m, left_on=m.joined_on, reason="分户")
    h2 = make_household(VILLAGE_A, members=[member(id_number=shared, birth=dt.date(1990, 1, 1))])
    assert h2.head.pk == m.person_id
    assert AuditRecord.objects.filter(action="membership.end", reason="分户").exists()


def test_stale_version_is_a_conflict(make_household, clerk):
    h = make_household()
    services.update_household(user=clerk, household=h, expected_version=1, address="新地址1号")
    with pytest.raises(Conflict) as err:
        services.update_household(user=clerk, household=h, expected_version=1, address="新地址2号")
    assert err.value.code == "stale_version"
    assert Household.objects.get(pk=h.pk).address == "新地址1号"


def test_update_records_before_and_after(make_household, clerk):
    h = make_household()
    services.update_household(user=clerk, household=h, alleviated=True)
    rec = AuditRecord.objects.filter(action="household.update").get()
    assert rec.changes == {"alleviated": [False, True]}
    assert rec.actor == clerk.username and rec.role == "township_clerk" and rec.area == CHANGNING


def test_audit_of_personal_identifiers_is_masked(make_household, clerk):
    h = make_household()
    m = selectors.current_members(h).get()
    services.update_member(
        user=clerk,
        household=h,
        membership=m,
        person=inputs.PersonInput(id_number=m.person.id_number, name=m.person.name, phone="13912345678"),
        membership_data=inputs.MembershipInput(relation="head"),
    )
    rec = AuditRecord.objects.filter(action="person.update").get()
    assert rec.changes["phone"] == ["", "139****5678"]


def test_unknown_village_is_not_found_with_its_field(clerk, county):
    with pytest.raises(NotFound) as err:
        services.create_household(
            user=clerk, village_code="141029100999", address="x", hukou="rural", members=[member()]
        )
    assert err.value.field == "village"


def test_household_needs_exactly_one_head(clerk, county):
    with pytest.raises(ValidationFailed, match="户主"):
        services.create_household(
            user=clerk, village_code=VILLAGE_A, address="x", hukou="rural", members=[member("spouse")]
        )


def test_disability_grade_must_be_one_to_four(make_household):
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[member(disability_kind="physical", disability_grade=5)])
    assert err.value.field == "members[0].disability_grade"


def test_raw_database_holds_no_plaintext_identifiers(make_household):
    number = new_id()
    make_household(
        members=[member(id_number=number, phone="13812345678", bank_account="6217000011112222333")]
    )
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, bank_account, id_index FROM registry_person")
        rows = cur.fetchall()
    flat = " ".join(str(v) for row in rows for v in row)
    for secret in (number, "13812345678", "6217000011112222333", number[6:14]):
        assert secret not in flat
    assert Person.objects.get().id_number == number


def test_search_by_exact_id_uses_the_blind_index(make_household, clerk):
    number = new_id()
    h = make_household(members=[member(id_number=number, name="赵铁柱")])
    make_household(members=[member(name="钱多多")])
    assert list(selectors.search_households(clerk, q=number)) == [h]
    assert list(selectors.search_households(clerk, q="ztz")) == [h]
    assert list(selectors.search_households(clerk, q="铁柱")) == [h]


def test_search_text_finds_a_village_by_name_and_an_address_once_each_and_only_in_reach(
    make_household, clerk
):
    village = Area.objects.get(code=VILLAGE_B).name
    in_village = make_household(VILLAGE_B, members=[member(name="孙一")], address="东街1号")
    at_address = make_household(VILLAGE_A, members=[member(name="孙二")], address=f"{village}路8号")
    both = make_household(VILLAGE_B, members=[member(name="孙三")], address=f"{village}路9号")
    elsewhere = make_household(VILLAGE_A, members=[member(name="孙四")], address="西街2号")
    make_household(VILLAGE_C, members=[member(name="孙五")], address=f"{village}路10号")  # another township
    assert list(selectors.search_households(clerk, q=village)) == [in_village, at_address, both]
    assert list(selectors.search_households(clerk, q="路8")) == [at_address]
    assert list(selectors.search_households(clerk, q="孙")) == [in_village, at_address, both, elsewhere]


def test_reveal_needs_a_reason_and_is_audited(make_household, clerk):
    number = new_id()
    h = make_household(members=[member(id_number=number)])
    with pytest.raises(ValidationFailed):
        services.reveal_person(user=clerk, person_id=h.head_id, reason=" ")
    data = services.reveal_person(user=clerk, person_id=h.head_id, reason="入户核实")
    assert data["id_number"] == number
    assert AuditRecord.objects.filter(
        action="person.unmask", object_id=str(h.head_id), reason="入户核实"
    ).exists()


def test_declared_facts_are_validated_stored_and_audited(make_household, clerk):
    h = make_household()
    services.update_household_facts(
        user=clerk,
        household=h,
        expected_version=h.version,
        facts={
            "financial_assets": "12000.50",
            "vehicles": [{"value": "86000", "exempt": False}],
            "supporters": [{"relation": "child", "able": True}],
            "risk_events": ["illness"],
            "homes": 1,
        },
    )
    h.refresh_from_db()
    assert h.financial_assets == Decimal("12000.50") and h.vehicles == [
        {"value": "86000.00", "exempt": False}
    ]
    assert h.version == 2
    rec = AuditRecord.objects.get(action="household.update_facts")
    assert rec.changes["financial_assets"] == ["0.00", "12000.50"]


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"financial_assets": "-1"}, "financial_assets"),
        ({"financial_assets": "1.234"}, "financial_assets"),
        ({"vehicles": [{"value": "abc"}]}, "vehicles[0].value"),
        ({"supporters": [{"relation": "child"}]}, "supporters[0].able"),
        ({"risk_events": ["meteor"]}, "risk_events"),
        ({"homes": -1}, "homes"),
        ({"salary": 1}, "salary"),
    ],
)
def test_bad_declared_facts_name_their_field(make_household, clerk, facts, field):
    h = make_household()
    with pytest.raises(ValidationFailed) as err:
        services.update_household_facts(user=clerk, household=h, facts=facts)
    assert err.value.field == field
    h.refresh_from_db()
    assert h.version == 1


def test_stale_version_is_refused_even_when_nothing_would_change(make_household, clerk):
    h = make_household()
    services.update_household(user=clerk, household=h, address="新地址1号")
    with pytest.raises(Conflict):
        services.update_household(user=clerk, household=h, expected_version=1, address="新地址1号")


def test_adding_a_person_held_in_another_area_links_without_overwriting_their_record(
    make_household, make_user
):
    shared = new_id(dt.date(1990, 1, 1))
    make_household(
        VILLAGE_C,
        members=[member(id_number=shared, name="王建国", birth=dt.date(1990, 1, 1), phone="13911112222")],
    )
    clerk_a = make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_changning_2")
    h = services.create_household(
        user=clerk_a,
        village_code=VILLAGE_A,
        address="x",
        hukou="rural",
        members=[
            member(),
            member(
                "child",
                id_number=shared,
                name="王建华",
                birth=dt.date(1990, 1, 1),
                co_resident=False,
                phone="13100000000",
            ),
        ],
    )
    person = Person.objects.get(id_index=blind_index(shared))
    assert person.name == "王建国" and person.phone == "13911112222"
    assert h.memberships.filter(person=person, counted=False).exists()
    assert AuditRecord.objects.filter(action="person.link", object_id=str(person.pk)).exists()
