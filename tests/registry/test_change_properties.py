"""For any sequence of family changes — accepted or refused — the register keeps its invariants:

- every open household has exactly one current head, a current member, and `Household.head` is them;
- no person is counted in two households;
- every membership row that ended did so on or after it began;
- a closed household has no current members, a dead person no current membership.

Each example runs in a savepoint that is rolled back, over three households of the same village.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count, F
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from safetynet.core.errors import SafetynetError
from safetynet.core.resident_id import make_resident_id
from safetynet.registry import inputs, services
from safetynet.registry.models import Household, Membership, Relation
from tests.conftest import JOINED, member

BASE = dt.date(2024, 1, 1)  # change dates fall around TODAY (2026-06-01): some in the future
RELATIONS = [r for r in Relation.values if r != Relation.HEAD]

day = st.integers(min_value=-60, max_value=900).map(lambda n: BASE + dt.timedelta(days=n))
index = st.integers(min_value=0, max_value=7)
ops = st.one_of(
    st.tuples(
        st.just("leave"),
        index,
        index,
        st.sampled_from(["death", "marriage_out", "move_out", "prison", "study", "other"]),
        day,
        st.one_of(st.none(), index),
    ),
    st.tuples(
        st.just("join"),
        index,
        st.sampled_from(["birth", "marriage_in", "move_in"]),
        st.integers(min_value=0, max_value=12),  # < 8: someone registered; else a newborn
        st.sampled_from(RELATIONS),
        day,
    ),
    st.tuples(st.just("head"), index, index, st.sampled_from(RELATIONS), day),
    st.tuples(st.just("split"), index, st.lists(index, min_size=1, max_size=3), index, day),
    st.tuples(st.just("merge"), index, index, day),
)


def _households():
    return list(Household.objects.filter(closed_on__isnull=True).order_by("id"))


def _members(h):
    return list(h.memberships.filter(left_on__isnull=True).select_related("person").order_by("id"))


def _pick(seq, i):
    return seq[i % len(seq)] if seq else None


def apply(op, clerk, people) -> None:
    kind, *args = op
    hs = _households()
    if kind == "leave":
        h_i, m_i, leave_kind, on, succ = args
        h = _pick(hs, h_i)
        ms = _members(h)
        m, s = _pick(ms, m_i), (None if succ is None else _pick(ms, succ))
        services.record_leave(
            user=clerk,
            household=h,
            membership=m.pk if m else None,
            kind=leave_kind,
            left_on=on,
            reason="其他原因",
            new_head=s.pk if s else None,
        )
    elif kind == "join":
        h_i, join_kind, who, relation, on = args
        if who < len(people):
            number, name = people[who]
        else:
            number, name = make_resident_id("141029", dt.date(2025, 1, 1) + dt.timedelta(days=who), 7), "王新"
        services.record_join(
            user=clerk,
            household=_pick(hs, h_i),
            kind=join_kind,
            person=inputs.PersonInput(id_number=number, name=name),
            relation=relation,
            joined_on=on,
        )
    elif kind == "head":
        h_i, m_i, relation, on = args
        h = _pick(hs, h_i)
        m = _pick(_members(h), m_i)
        if m is None:
            return
        services.change_head(
            user=clerk, household=h, new_head=m.pk, old_head_relation=relation, changed_on=on, reason="变更"
        )
    elif kind == "split":
        h_i, m_is, head_i, on = args
        h = _pick(hs, h_i)
        ms = _members(h)
        if not ms:
            return
        movers = [services.Mover(_pick(ms, i).pk, "other") for i in m_is]
        services.split_household(
            user=clerk, household=h, members=movers, new_head=_pick(ms, head_i).pk, split_on=on, reason="分户"
        )
    elif kind == "merge":
        a_i, b_i, on = args
        a, b = _pick(hs, a_i), _pick(hs, b_i)
        services.merge_households(
            user=clerk,
            household=a,
            other=b,
            relations={m.pk: "other" for m in _members(b)},
            merged_on=on,
            reason="合户",
        )


def check_invariants() -> None:
    for h in Household.objects.all():
        current = Membership.objects.filter(household=h, left_on__isnull=True)
        if h.closed_on is not None:
            assert not current.exists(), f"closed household {h.pk} has current members"
            continue
        heads = list(current.filter(relation=Relation.HEAD).values_list("person_id", flat=True))
        assert heads == [h.head_id], f"household {h.pk}: heads {heads}, head {h.head_id}"
    twice = (
        Membership.objects.filter(counted=True, left_on__isnull=True)
        .values("person")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    assert not Membership.objects.filter(left_on__lt=F("joined_on")).exists()
    assert not Membership.objects.filter(left_on__isnull=True, person__died_on__isnull=False).exists()


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(ops, min_size=1, max_size=12))
def test_any_sequence_of_changes_keeps_the_register_consistent(sequence, make_household, clerk, today):
    with transaction.atomic():
        people = []
        for h_no in range(3):
            members = []
            for m_no, relation in enumerate(["head", "spouse", "child"]):
                birth = dt.date(1960 + 10 * m_no, 1 + h_no, 1)
                number = make_resident_id("141029", birth, 500 + 3 * h_no + m_no)
                people.append((number, f"王{'一二三'[h_no]}{'甲乙丙'[m_no]}"))
                members.append(
                    member(relation, id_number=number, name=people[-1][1], birth=birth, joined_on=JOINED)
                )
            make_household(members=members)
        people.append((make_resident_id("141029", dt.date(1990, 6, 6), 600), "外来"))  # in no household
        check_invariants()
        for op in sequence:
            try:
                with transaction.atomic():
                    apply(op, clerk, people)
                event(f"{op[0]} accepted")  # --hypothesis-show-statistics: the mix is exercised
            except SafetynetError as error:
                event(f"{op[0]} refused: {error.code}")
            check_invariants()
        transaction.set_rollback(True)
