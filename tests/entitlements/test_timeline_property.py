"""For random sequences of changes and stops, the timeline has no overlaps, gaps only where a stop
or an end left one, and "entitled on D" matches a replay of the same sequence in plain Python."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetynet.audit.services import SYSTEM
from safetynet.core.errors import ValidationFailed
from safetynet.entitlements import selectors
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement
from safetynet.entitlements.schedule import add_months

pytestmark = pytest.mark.django_db
BASE = dt.date(2025, 1, 1)
CATEGORIES = ("dibao", "tekun", "dibao_edge", "rigid_hardship")

ops = st.lists(
    st.tuples(st.sampled_from(["open", "stop"]), st.integers(0, 40), st.sampled_from(CATEGORIES)),
    min_size=1,
    max_size=12,
)


def replay(sequence, rigid_months: int):
    """The model: a list of [start, end, category], applying the same acceptance rules."""
    rows: list[list] = []
    for op, month, category in sequence:
        day = add_months(BASE, month)
        latest = rows[-1] if rows else None
        if op == "open":
            if latest and day <= latest[0]:
                continue
            if latest and (latest[1] is None or latest[1] > day):
                latest[1] = day
            end = add_months(day, rigid_months) if category == "rigid_hardship" else None
            rows.append([day, end, category])
        else:
            if latest is None or (latest[1] is not None and latest[1] <= day) or day <= latest[0]:
                continue
            latest[1] = day
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_random_changes_keep_the_timeline_consistent(make_household, sequence):
    h = make_household()
    for op, month, category in sequence:
        day = add_months(BASE, month)
        try:
            if op == "open":
                ent.open_row(
                    household=h,
                    valid_from=day,
                    terms=ent.Terms(category=category),
                    basis="change",
                    decided_on=day,
                    actor=SYSTEM,
                )
            else:
                ent.close_current(household=h, on=day, basis="stop", actor=SYSTEM, reason="停发")
        except ValidationFailed:
            pass
    rows = list(Entitlement.objects.filter(household=h).order_by("valid_from"))
    for a, b in zip(rows, rows[1:]):
        assert a.valid_until is not None and a.valid_until <= b.valid_from  # no overlap
        if a.valid_until < b.valid_from:  # a gap only after a stop or a time-limited end
            assert a.end_basis == "stop" or a.category == "rigid_hardship"
    model = replay(sequence, rigid_months=12)
    assert [(r.valid_from, r.valid_until, r.category) for r in rows] == [tuple(m) for m in model]
    for month in range(0, 60):
        day = add_months(BASE, month)
        expected = next((m[2] for m in model if m[0] <= day and (m[1] is None or day < m[1])), None)
        got = selectors.entitlement_on(h, day)
        assert (got.category if got else None) == expected
