"""`safetynet assess` and `safetynet params show`: JSON in, JSON out, errors as JSON without traceback."""

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .test_validation import household

ROOT = Path(__file__).resolve().parents[2]

# The commands read officer-entered parameter values from the database when it is there.
pytestmark = pytest.mark.django_db


def run(*args, stdin=None):
    out = io.StringIO()
    kwargs = {"stdout": out, "stderr": io.StringIO()}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command(*args, **kwargs)
    return out.getvalue()


def test_assess_reads_a_file_and_prints_the_decision(tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(household()), encoding="utf-8")
    result = json.loads(run("assess", "--on", "2025-06-01", str(path)))
    assert result["category"] == "dibao" and result["benefit_monthly"] == 560
    assert result["trace"]


def test_assess_reads_stdin_with_dash():
    result = json.loads(run("assess", "--on", "2025-06-01", "-", stdin=json.dumps(household())))
    assert result["family_size"] == 2


def test_assess_without_on_uses_today():
    from datetime import date

    result = json.loads(run("assess", "-", "--no-trace", stdin=json.dumps(household())))
    assert result["on"] == date.today().isoformat() and result["trace"] == []


@pytest.mark.parametrize(
    "text, code, field",
    [
        ("{not json", "invalid_json", None),
        (json.dumps(household() | {"hukou": "mars"}), "invalid_choice", "hukou"),
    ],
)
def test_invalid_input_prints_the_error_as_json_and_exits_2(text, code, field):
    out = io.StringIO()
    with pytest.raises(CommandError) as e:
        call_command("assess", "-", stdin=io.StringIO(text), stdout=out, stderr=io.StringIO())
    assert e.value.returncode == 2
    error = json.loads(out.getvalue())
    assert error["code"] == code and error["field"] == field and error["message"]


def test_params_show_json_is_a_flat_object_of_values_in_force():
    values = json.loads(run("params", "show", "--region", "141029", "--on", "2026-06-01", "--json"))
    assert values["dibao.standard_monthly.rural"] == 600
    assert values["tekun.basic_ratio"] == 1.3
    assert values["monitoring.transition_end"] == "2025-12-31"
    assert values["income.window_months"] == 12


def test_params_show_table_shows_label_source_and_verification():
    text = run("params", "show", "--region", "141029", "--on", "2026-06-01")
    assert "农村低保标准" in text and "2026-01-01" in text and "示例值" in text


def test_cli_subprocess_exit_code_and_no_traceback(tmp_path):
    bad = household()
    bad["members"][1]["birth_date"] = "2025-02-30"
    proc = subprocess.run(
        ["uv", "run", "safetynet", "assess", "--on", "2025-06-01", "-"],
        input=json.dumps(bad),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    error = json.loads(proc.stdout)
    assert error == {"code": "invalid_date", "message": error["message"], "field": "members[1].birth_date"}
