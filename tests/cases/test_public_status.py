"""The applicant follows the application by the case number of the acceptance message (or the
lead reference of the public page) and the last four characters of the ID number; a closed case
says its outcome in plain words, and nothing personal."""

from __future__ import annotations

import pytest

from safetynet.cases import services
from safetynet.core.errors import NotFound


def _status(proc, suffix=None, reference=None):
    return services.public_status(
        reference=reference or proc.data["reference"],
        id_last4=suffix or proc.household.head.id_number[-4:],
        client="10.9.9.9",
    )


def test_the_case_number_of_the_acceptance_message_finds_the_application(proc):
    proc.accept()
    status = _status(proc)
    assert status["stage"] == "已受理，办理中" and status["outcome"] == ""
    assert status["reference"] == proc.data["reference"]
    with pytest.raises(NotFound):
        _status(proc, suffix="0000" if not proc.household.head.id_number.endswith("0000") else "1111")
    with pytest.raises(NotFound):
        _status(proc, reference="XN-C-2026-999999")


def test_an_archived_case_says_what_was_decided_from_when_and_how_much(proc, clock):
    proc.to_decision()
    proc.decide()
    clock.advance(5)
    proc.fire("township_clerk", "close_notice")
    proc.post("county_civil", "/county-filing", {"version": proc.version, "note": "同意备案"})
    status = _status(proc)
    assert status["stage"] == "已办结"
    assert status["outcome"].startswith("认定为低保") and "每月" in status["outcome"]
    assert status["outcome"].endswith("自2026年07月起享受。")
    assert proc.household.head.name not in str(status) and proc.household.head.id_number not in str(status)


def test_a_refused_case_says_so(proc):
    proc.accept()
    proc.post("township_clerk", "/refuse", {"version": proc.version, "reason": "家庭收入超过标准"})
    status = _status(proc)
    assert status["stage"] == "已办结：不予认定" and status["outcome"].startswith("不予认定")
    assert "家庭收入" not in status["outcome"]  # the reason is told in writing and in person, not here
