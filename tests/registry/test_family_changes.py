"""家庭变化: change of head, a member leaves, a member joins — each dated, reasoned, audited, scoped,
announced after commit, and refused whole when anything is wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safetynet.registry import inputs, services
from safetynet.registry.models import Household, Membership, Person
from safetynet.registry.services import hooks
from tests.conftest import GUANGHUA, JOINED, TODAY, member, new_id, of


def snapshot(household):
    """Everything a refused change must leave as it was."""
    h = Household.objects.get(pk=household.pk)
    rows = list(Membership.objects.order_by("id").values_list("id", "relation", "left_on", "counted"))
    return h.version, h.head_id, rows, Person.objects.count(), AuditRecord.objects.count()


def refused(exc_type, watched, call, /, **kwargs):
    before = snapshot(watched)
    with pytest.raises(exc_type) as err:
        call(**kwargs)
    assert snapshot(watched) == before
    return err.value


# ---- 户主变更 ------------------------------------------------------------------------------------


def test_change_of_head_makes_a_member_head_and_re_sets_the_old_heads_relation(
    family, clerk, announced, django_capture_on_commit_callbacks
):
    son = of(family, "王小军")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_head(
            user=clerk,
            household=family,
            new_head=son.pk,
            old_head_relation="parent",
            relations={of(family, "李秀英").pk: "parent", of(family, "王小红").pk: "sibling"},
            changed_on=TODAY,
            reason="原户主年老，经家庭协商变更户主",
        )
    h = Household.objects.get(pk=family.pk)
    assert h.head.name == "王小军"
    assert of(h, "王小军").relation == "head"
    assert of(h, "王大山").relation == "parent" and of(h, "王大山").current
    assert of(h, "王小红").relation == "sibling"
    rec = AuditRecord.objects.get(action="household.change_head")
    assert rec.reason == "原户主年老，经家庭协商变更户主"
    assert rec.changes["head"] == [family.head_id, son.person_id]
    assert rec.changes["changed_on"] == [None, "2026-06-01"]
    assert [(s["kind"], s["date"], s["household"].pk) for s in announced] == [("head_change", TODAY, h.pk)]
    assert announced[0]["actor"].username == clerk.username


def test_change_of_head_is_refused_for_someone_not_a_current_member(family, clerk, make_household):
    stranger = make_household(members=[member(name="外人", joined_on=JOINED)]).memberships.get()
    err = refused(
        ValidationFailed,
        family,
        services.change_head,
        user=clerk,
        household=family,
        new_head=stranger.pk,
        old_head_relation="parent",
        changed_on=TODAY,
        reason="变更",
    )
    assert err.field == "new_head" and err.code == "not_a_current_member"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"old_head_relation": "head"}, "old_head_relation"),
        ({"old_head_relation": "cousin"}, "old_head_relation"),
        ({"changed_on": TODAY + dt.timedelta(days=1)}, "changed_on"),
        ({"changed_on": JOINED - dt.timedelta(days=1)}, "changed_on"),
        ({"new_head": "head"}, "new_head"),
    ],
)
def test_change_of_head_refusals_name_their_field_and_write_nothing(family, clerk, changes, field):
    kwargs = {
        "user": clerk,
        "household": family,
        "new_head": of(family, "李秀英").pk,
        "old_head_relation": "spouse",
        "changed_on": TODAY,
        "reason": "变更",
        **changes,
    }
    if kwargs["new_head"] == "head":
        kwargs["new_head"] = of(family, "王大山").pk  # already the head
    err = refused(ValidationFailed, family, services.change_head, **kwargs)
    assert err.field == field
    assert err.message


def test_change_of_head_is_not_found_outside_the_area_and_refused_without_permission(family, make_user):
    outsider = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    kwargs = {
        "household": family,
        "new_head": of(family, "李秀英").pk,
        "old_head_relation": "spouse",
        "changed_on": TODAY,
        "reason": "变更",
    }
    refused(NotFound, family, services.change_head, user=outsider, **kwargs)
    refused(PermissionDenied, family, services.change_head, user=make_user(Role.REVIEW_MEMBER), **kwargs)


def test_a_stale_version_refuses_the_change(family, clerk):
    err = refused(
        Conflict,
        family,
        services.change_head,
        user=clerk,
        household=family,
        new_head=of(family, "李秀英").pk,
        old_head_relation="spouse",
        changed_on=TODAY,
        reason="变更",
        expected_version=family.version - 1,
    )
    assert err.code == "stale_version"


# ---- 成员减少 ------------------------------------------------------------------------------------


def test_death_of_a_member_ends_the_membership_and_records_the_date_on_the_person(
    family, clerk, announced, django_capture_on_commit_callbacks
):
    spouse = of(family, "李秀英")
    day = dt.date(2026, 5, 20)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_leave(
            user=clerk, household=family, membership=spouse.pk, kind="death", left_on=day, reason="病故"
        )
    row = Membership.objects.get(pk=spouse.pk)
    assert (row.left_on, row.left_kind, row.left_reason) == (day, "death", "死亡：病故")
    assert Person.objects.get(pk=spouse.person_id).died_on == day
    rec = AuditRecord.objects.get(action="membership.leave")
    assert rec.reason == "死亡：病故" and rec.changes["kind"] == [None, "death"]
    assert AuditRecord.objects.filter(action="person.update", object_id=str(spouse.person_id)).exists()
    assert [(s["kind"], s["date"], s["persons"]) for s in announced] == [("death", day, [spouse.person_id])]


def test_a_deceased_head_is_recorded_with_the_new_head_in_the_same_change(
    family, clerk, announced, django_capture_on_commit_callbacks
):
    head, spouse = of(family, "王大山"), of(family, "李秀英")
    err = refused(
        ValidationFailed,
        family,
        services.record_leave,
        user=clerk,
        household=family,
        membership=head.pk,
        kind="death",
        left_on=TODAY,
    )
    assert err.code == "head_must_change" and err.field == "new_head"
    with django_capture_on_commit_callbacks(execute=True):
        services.record_leave(
            user=clerk,
            household=family,
            membership=head.pk,
            kind="death",
            left_on=TODAY,
            new_head=spouse.pk,
            relations={of(family, "王小军").pk: "child"},
        )
    h = Household.objects.get(pk=family.pk)
    assert h.head_id == spouse.person_id and of(h, "李秀英").relation == "head"
    assert not Membership.objects.get(pk=head.pk).current
    assert Person.objects.get(pk=head.person_id).died_on == TODAY
    assert [s["kind"] for s in announced] == ["death", "head_change"]


@pytest.mark.parametrize("kind", ["marriage_out", "move_out"])
def test_marriage_out_and_moving_out_end_the_membership_with_their_kind(family, clerk, kind):
    daughter = of(family, "王小红")
    services.record_leave(user=clerk, household=family, membership=daughter.pk, kind=kind, left_on=TODAY)
    row = Membership.objects.get(pk=daughter.pk)
    assert row.left_kind == kind and row.left_on == TODAY
    assert Person.objects.get(pk=daughter.person_id).died_on is None


def test_prison_keeps_the_member_registered_but_not_counted_from_a_new_dated_row(family, clerk):
    son = of(family, "王小军")
    day = dt.date(2026, 3, 1)
    services.record_leave(user=clerk, household=family, membership=son.pk, kind="prison", left_on=day)
    old = Membership.objects.get(pk=son.pk)
    assert (old.left_on, old.left_kind, old.counted) == (day, "prison", True)
    now = of(family, "王小军")
    assert now.pk != son.pk and now.joined_on == day and now.joined_kind == "status"
    assert (now.counted, now.not_counted_reason, now.relation) == (False, "prison", "child")
    assert AuditRecord.objects.get(action="membership.status").changes["counted"] == [True, False]
    again = refused(
        Conflict, family, services.record_leave,
        user=clerk, household=family, membership=now.pk, kind="prison", left_on=TODAY,
    )  # fmt: skip
    assert again.code == "already_recorded"


def test_full_time_study_keeps_the_member_counted_as_policy_section_1_says(family, clerk):
    daughter = of(family, "王小红")
    services.record_leave(
        user=clerk,
        household=family,
        membership=daughter.pk,
        kind="study",
        left_on=TODAY,
        reason="考入大学本科",
    )
    row = Membership.objects.get(pk=daughter.pk)
    assert row.current and row.counted
    assert Person.objects.get(pk=daughter.person_id).fulltime_education
    assert AuditRecord.objects.get(action="membership.status").reason == "全日制就读：考入大学本科"


def test_release_from_prison_counts_the_member_again_from_a_new_dated_row(
    family, clerk, announced, django_capture_on_commit_callbacks
):
    son = of(family, "王小军")
    jailed = dt.date(2026, 1, 10)
    services.record_leave(user=clerk, household=family, membership=son.pk, kind="prison", left_on=jailed)
    inside = of(family, "王小军")
    early = refused(
        ValidationFailed, family, services.record_leave,
        user=clerk, household=family, membership=inside.pk, kind="release", left_on=jailed - dt.timedelta(days=1),
    )  # fmt: skip
    assert early.field == "left_on"
    out = dt.date(2026, 5, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_leave(
            user=clerk, household=family, membership=inside.pk, kind="release", left_on=out, reason="刑满"
        )
    closed = Membership.objects.get(pk=inside.pk)
    assert (closed.left_on, closed.left_kind) == (out, "release")
    now = of(family, "王小军")
    assert (now.joined_on, now.joined_kind, now.counted, now.not_counted_reason) == (out, "status", True, "")
    assert AuditRecord.objects.filter(action="membership.status").order_by("id").last().changes[
        "counted"
    ] == [False, True]
    assert [(s["kind"], s["date"]) for s in announced] == [("release", out)]
    again = refused(
        Conflict, family, services.record_leave,
        user=clerk, household=family, membership=now.pk, kind="release", left_on=TODAY,
    )  # fmt: skip
    assert again.code == "not_recorded" and again.field == "kind"


def test_the_end_of_full_time_study_is_recorded_on_the_person(family, clerk):
    daughter = of(family, "王小红")
    refused(
        Conflict, family, services.record_leave,
        user=clerk, household=family, membership=daughter.pk, kind="study_end", left_on=TODAY,
    )  # fmt: skip
    kwargs = {"user": clerk, "household": family, "membership": daughter.pk, "left_on": TODAY}
    services.record_leave(kind="study", **kwargs)
    services.record_leave(kind="study_end", reason="毕业", **kwargs)
    assert Membership.objects.get(pk=daughter.pk).current
    assert not Person.objects.get(pk=daughter.person_id).fulltime_education
    rec = AuditRecord.objects.filter(action="membership.status").order_by("id").last()
    assert rec.changes["fulltime_education"] == [True, False] and rec.reason == "结束全日制就读：毕业"


def test_a_death_ends_the_persons_rows_in_other_households_too(
    family, clerk, make_household, announced, django_capture_on_commit_callbacks
):
    spouse = of(family, "李秀英")
    # Registered (not counted) in her mother's household as well.
    mother = make_household(members=[member(name="李母", birth=dt.date(1940, 1, 1), joined_on=JOINED)])
    services.add_member(
        user=clerk,
        household=mother,
        person=inputs.PersonInput(
            id_number=spouse.person.id_number, name="李秀英", birth_date=spouse.person.birth_date
        ),
        membership=inputs.MembershipInput(
            relation="child", co_resident=False, not_counted_reason="not_coresident", joined_on=JOINED
        ),
    )
    version = Household.objects.get(pk=mother.pk).version
    day = dt.date(2026, 5, 20)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_leave(user=clerk, household=family, membership=spouse.pk, kind="death", left_on=day)
    assert not Membership.objects.filter(person=spouse.person, left_on__isnull=True).exists()
    there = Membership.objects.get(household=mother, person=spouse.person)
    assert (there.left_on, there.left_kind) == (day, "death")
    assert Household.objects.get(pk=mother.pk).version == version + 1
    rec = AuditRecord.objects.get(action="membership.leave", object_id=str(mother.pk))
    assert rec.changes["recorded_in"] == [None, family.pk]
    assert sorted(s["household"].pk for s in announced) == sorted([family.pk, mother.pk])


def test_a_death_of_the_head_of_another_household_needs_the_head_changed_there_first(
    family, clerk, make_household
):
    spouse = of(family, "李秀英")
    make_household(
        members=[
            member(
                id_number=spouse.person.id_number,
                name="李秀英",
                birth=spouse.person.birth_date,
                co_resident=False,
                not_counted_reason="not_coresident",
                joined_on=JOINED,
            ),
            member("child", name="李子", birth=dt.date(2000, 1, 1), joined_on=JOINED),
        ]
    )
    err = refused(
        Conflict, family, services.record_leave,
        user=clerk, household=family, membership=spouse.pk, kind="death", left_on=TODAY,
    )  # fmt: skip
    assert err.code == "head_elsewhere" and err.field == "membership"


@pytest.mark.parametrize(
    ("changes", "exc", "field"),
    [
        ({"kind": "other", "reason": ""}, ValidationFailed, "reason"),
        ({"kind": "vanished"}, ValidationFailed, "kind"),
        ({"left_on": TODAY + dt.timedelta(days=1)}, ValidationFailed, "left_on"),
        ({"left_on": JOINED - dt.timedelta(days=1)}, ValidationFailed, "left_on"),
        ({"membership": 999999}, ValidationFailed, "membership"),
        ({"new_head": "self"}, ValidationFailed, "new_head"),  # only a departing head names one
    ],
)
def test_leave_refusals_name_their_field_and_write_nothing(family, clerk, changes, exc, field):
    kwargs = {
        "user": clerk,
        "household": family,
        "membership": of(family, "王小红").pk,
        "kind": "move_out",
        "left_on": TODAY,
        **changes,
    }
    if kwargs.get("new_head") == "self":
        kwargs["new_head"] = of(family, "李秀英").pk
    err = refused(exc, family, services.record_leave, **kwargs)
    assert err.field == field


def test_a_member_who_has_left_cannot_leave_again(family, clerk):
    daughter = of(family, "王小红")
    services.record_leave(
        user=clerk, household=family, membership=daughter.pk, kind="move_out", left_on=TODAY
    )
    err = refused(
        ValidationFailed, family, services.record_leave,
        user=clerk, household=family, membership=daughter.pk, kind="move_out", left_on=TODAY,
    )  # fmt: skip
    assert err.code == "not_a_current_member"


def test_leave_is_not_found_for_a_clerk_of_another_township(family, make_user):
    outsider = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    refused(
        NotFound, family, services.record_leave,
        user=outsider, household=family, membership=of(family, "王小红").pk, kind="move_out", left_on=TODAY,
    )  # fmt: skip


def test_a_village_officer_of_the_village_may_record_a_change(family, make_user):
    officer = make_user(Role.VILLAGE_OFFICER)
    services.record_leave(
        user=officer, household=family, membership=of(family, "王小红").pk, kind="move_out", left_on=TODAY
    )
    assert AuditRecord.objects.get(action="membership.leave").role == "village_officer"


# ---- 成员增加 ------------------------------------------------------------------------------------


def baby(birth=dt.date(2026, 5, 1), **kw):
    return inputs.PersonInput(id_number=kw.pop("id_number", None) or new_id(birth), name="王小宝", **kw)


def test_a_birth_adds_a_new_person_as_child_or_grandchild(
    family, clerk, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_join(
            user=clerk, household=family, kind="birth", person=baby(), relation="grandchild", joined_on=TODAY
        )
    m = of(family, "王小宝")
    assert (m.relation, m.joined_kind, m.joined_on, m.counted) == ("grandchild", "birth", TODAY, True)
    rec = AuditRecord.objects.get(action="membership.join")
    assert rec.reason == "出生" and rec.changes["kind"] == [None, "birth"]
    assert [s["kind"] for s in announced] == ["birth"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"relation": "spouse"}, "relation"),
        ({"relation": "head"}, "relation"),
        ({"kind": "adoption"}, "kind"),
        ({"joined_on": dt.date(2026, 4, 30)}, "joined_on"),  # before the birth
        ({"joined_on": TODAY + dt.timedelta(days=1)}, "joined_on"),
        ({"person": inputs.PersonInput(id_number="141029202605011234", name="王小宝")}, "id_number"),
    ],
)
def test_join_refusals_name_their_field_and_write_nothing(family, clerk, changes, field):
    kwargs = {
        "user": clerk,
        "household": family,
        "kind": "birth",
        "person": baby(),
        "relation": "child",
        "joined_on": TODAY,
        **changes,
    }
    err = refused(ValidationFailed, family, services.record_join, **kwargs)
    assert err.field == field


def test_a_birth_of_someone_already_registered_is_refused(family, clerk):
    existing = of(family, "王小红").person
    err = refused(
        Conflict, family, services.record_join,
        user=clerk, household=family, kind="birth", relation="child", joined_on=TODAY,
        person=inputs.PersonInput(id_number=existing.id_number, name="王小红"),
    )  # fmt: skip
    assert err.code == "person_exists" and err.field == "id_number"


def test_marrying_in_a_person_counted_elsewhere_needs_the_leave_there_first(family, clerk, make_household):
    bride_id = new_id(dt.date(1999, 2, 2))
    other = make_household(
        members=[member(id_number=bride_id, name="赵丽", birth=dt.date(1999, 2, 2), joined_on=JOINED)]
    )
    bride = inputs.PersonInput(id_number=bride_id, name="赵丽")
    kwargs = {"user": clerk, "household": family, "kind": "marriage_in", "person": bride, "relation": "other"}
    err = refused(Conflict, family, services.record_join, joined_on=TODAY, **kwargs)
    assert err.code == "member_in_other_household" and err.field == "id_number"
    assert f"户{other.pk}" in err.message
    # A daughter of another household marries out there, then in here, not before that date.
    other2 = make_household(
        members=[
            member(name="赵父", birth=dt.date(1970, 1, 1), joined_on=JOINED),
            member("child", name="赵敏", birth=dt.date(1998, 1, 1), joined_on=JOINED),
        ]
    )
    daughter = other2.memberships.get(relation="child")
    services.record_leave(
        user=clerk, household=other2, membership=daughter.pk, kind="marriage_out", left_on=dt.date(2026, 5, 1)
    )
    person = inputs.PersonInput(id_number=daughter.person.id_number, name="赵敏")
    early = refused(
        ValidationFailed, family, services.record_join,
        user=clerk, household=family, kind="marriage_in", person=person, relation="other",
        joined_on=dt.date(2026, 4, 1),
    )  # fmt: skip
    assert early.field == "joined_on"
    services.record_join(
        user=clerk,
        household=family,
        kind="marriage_in",
        person=person,
        relation="other",
        joined_on=dt.date(2026, 5, 1),
    )
    assert of(family, "赵敏").counted and of(family, "赵敏").joined_kind == "marriage_in"


def test_a_dead_person_cannot_join(family, clerk, make_household):
    spouse = of(family, "李秀英")
    services.record_leave(user=clerk, household=family, membership=spouse.pk, kind="death", left_on=TODAY)
    other = make_household(members=[member(name="周某", joined_on=JOINED)])
    err = refused(
        ValidationFailed, other, services.record_join,
        user=clerk, household=other, kind="move_in", relation="other", joined_on=TODAY,
        person=inputs.PersonInput(id_number=spouse.person.id_number, name="李秀英"),
    )  # fmt: skip
    assert err.field == "id_number" and "死亡" in err.message


# ---- an open case is recorded, not a reason to refuse --------------------------------------------


def test_a_change_to_a_household_with_an_open_case_is_allowed_and_recorded(family, clerk, monkeypatch):
    monkeypatch.setattr(
        hooks, "open_case_probes", [lambda household_id: [41] if household_id == family.pk else []]
    )
    services.record_leave(
        user=clerk, household=family, membership=of(family, "王小红").pk, kind="move_out", left_on=TODAY
    )
    assert AuditRecord.objects.get(action="membership.leave").changes["open_cases"] == [None, [41]]


def test_a_refused_change_announces_nothing(family, clerk, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        services.record_leave(
            user=clerk, household=family, membership=of(family, "王小红").pk, kind="move_out", left_on=TODAY,
            reason="x" * 181,
        )  # fmt: skip
    assert announced == []


def test_the_open_case_of_the_procedure_is_named_in_the_audit_of_a_change(family, clerk):
    from safetynet.cases.services import accept_case

    case, created = accept_case(user=clerk, household=family, summary="申请低保")
    assert created
    services.record_leave(
        user=clerk, household=family, membership=of(family, "王小红").pk, kind="move_out", left_on=TODAY
    )
    assert AuditRecord.objects.get(action="membership.leave").changes["open_cases"] == [None, [case.pk]]


def test_a_failing_receiver_is_logged_and_does_not_stop_the_others(
    family, clerk, announced, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, **kwargs):
        raise RuntimeError("entitlements down")

    services.household_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.record_leave(
                user=clerk,
                household=family,
                membership=of(family, "王小红").pk,
                kind="move_out",
                left_on=TODAY,
            )
    finally:
        services.household_changed.disconnect(broken)
    assert [s["kind"] for s in announced] == ["move_out"]
    assert "entitlements down" in caplog.text
    assert not Membership.objects.get(pk=of(family, "王小军").pk).left_on  # untouched; the leave stands
    assert Membership.objects.filter(left_kind="move_out").count() == 1


def test_a_registered_person_who_moves_in_keeps_their_record(family, clerk, make_household):
    number = new_id(dt.date(1995, 3, 3))
    other = make_household(
        members=[
            member(name="赵父", birth=dt.date(1970, 1, 1), joined_on=JOINED),
            member("child", name="赵敏", id_number=number, birth=dt.date(1995, 3, 3), joined_on=JOINED,
                   income_wage_12m="24000", phone="13912345678"),
        ]
    )  # fmt: skip
    daughter = other.memberships.get(relation="child")
    services.record_leave(user=clerk, household=other, membership=daughter.pk, kind="move_out", left_on=TODAY)
    wrong = refused(
        ValidationFailed, family, services.record_join,
        user=clerk, household=family, kind="move_in", relation="other", joined_on=TODAY,
        person=inputs.PersonInput(id_number=number, name="赵明"),
    )  # fmt: skip
    assert wrong.code == "name_mismatch" and wrong.field == "name"
    services.record_join(
        user=clerk, household=family, kind="move_in", relation="other", joined_on=TODAY,
        person=inputs.PersonInput(id_number=number, name="赵敏"),
    )  # fmt: skip
    person = Person.objects.get(pk=daughter.person_id)
    assert person.income_wage_12m == 24000 and person.phone == "13912345678"
    assert of(family, "赵敏").person_id == person.pk
