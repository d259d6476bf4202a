"""Golden policy cases: one situation per file in `cases/`, named by a sentence about the law."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from safetynet.policy import assess_json

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def _same(actual, expected) -> bool:
    if (
        isinstance(expected, int | float | str)
        and isinstance(actual, int | float)
        and not isinstance(actual, bool)
    ):
        return Decimal(str(actual)) == Decimal(str(expected))
    return actual == expected


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_policy_case(path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    on = case["on"] if isinstance(case["on"], date) else date.fromisoformat(case["on"])
    result = assess_json(case["input"], on, extra_entries=case.get("extra_parameters", ()))
    expected = dict(case["expected"])
    members = expected.pop("members", {})
    includes = expected.pop("unverified_includes", [])
    excludes = expected.pop("unverified_excludes", [])
    for key, want in expected.items():
        assert _same(result[key], want), f"{key}: got {result[key]!r}, want {want!r}"
    by_id = {m["id"]: m for m in result["members"]}
    for member_id, fields in members.items():
        for key, want in fields.items():
            got = by_id[member_id][key]
            assert _same(got, want), f"members[{member_id}].{key}: got {got!r}, want {want!r}"
    for name in includes:
        assert name in result["unverified_parameters"]
    for name in excludes:
        assert name not in result["unverified_parameters"]
    assert result["trace"], "every decision carries its trace"


def test_there_are_enough_golden_cases():
    assert len(CASES) >= 25
