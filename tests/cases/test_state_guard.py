"""The case state moves only through the workflow."""

from __future__ import annotations

import pytest

from safetynet.cases.models import OPEN_STATES, Case
from safetynet.cases.workflow import FINAL, OPEN, State


def test_the_state_of_a_case_cannot_be_assigned(proc):
    proc.accept()
    case = Case.objects.get(pk=proc.case_id)
    with pytest.raises(AttributeError, match="办理流程"):
        case.state = State.ARCHIVED
    assert Case.objects.get(pk=proc.case_id).state == "accepted"


def test_the_workflow_moves_the_state_and_a_reload_sees_it(proc):
    proc.accept()
    case = Case.objects.get(pk=proc.case_id)
    proc.fire("village_officer", "start_investigation")
    case.refresh_from_db()
    assert case.state == State.INVESTIGATION


def test_the_open_states_are_the_workflows(proc):
    assert set(OPEN_STATES) == {s.value for s in OPEN}
    assert not set(OPEN_STATES) & {s.value for s in FINAL}
    assert [c[0] for c in Case._meta.get_field("state").choices] == [s.value for s in State]
