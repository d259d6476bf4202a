import datetime as dt
import subprocess
import sys

import pytest
from django.core.management import call_command

from safetynet.core.errors import PermissionDenied
from safetynet.workdays.calendar import HOLIDAY, WORKDAY, OfficialDay, WorkCalendar
from safetynet.workdays.services import set_official_day, work_calendar

D = dt.date
cal = WorkCalendar()


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 2025 Spring Festival: 1/28–2/4 off; Sunday 1/26 and Saturday 2/8 are make-up working days.
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 26), 1, D(2025, 1, 27)),
        (D(2025, 1, 27), 1, D(2025, 2, 5)),
        (D(2025, 2, 7), 1, D(2025, 2, 8)),
        (D(2025, 1, 20), 20, D(2025, 2, 21)),
        # 2025 National Day: 10/1–10/8 off; Sunday 9/28 and Saturday 10/11 working.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        # 2026 Spring Festival: 2/15–2/23 off; Saturdays 2/14 and 2/28 working.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 27), 1, D(2026, 2, 28)),
        # 2026 Mid-Autumn 9/25 and National Day 10/1–10/7; Saturday 10/10 working.
        (D(2026, 9, 25), 20, D(2026, 10, 29)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),
        # 45-day extension across National Day 2026.
        (D(2026, 9, 1), 45, D(2026, 11, 9)),
    ],
)
def test_nth_working_day_follows_the_state_council_notice(start, days, expected):
    result = cal.add_working_days(start, days)
    assert result.date == expected and not result.provisional


def test_counting_starts_the_day_after_the_start_date():
    assert cal.add_working_days(D(2026, 6, 1), 0).date == D(2026, 6, 1)
    assert cal.add_working_days(D(2026, 6, 1), 1).date == D(2026, 6, 2)  # Monday → Tuesday


def test_year_without_official_data_counts_weekends_only_and_is_provisional():
    result = cal.add_working_days(D(2027, 9, 30), 3)
    assert result.provisional
    assert result.date == D(2027, 10, 5)  # Fri 10/1, Mon 10/4, Tue 10/5: no National Day holiday assumed


def test_admin_entries_override_the_package_and_make_the_year_official():
    custom = WorkCalendar([OfficialDay(D(2027, 10, 1), HOLIDAY), OfficialDay(D(2027, 10, 9), WORKDAY)])
    assert custom.has_official_data(2027)
    assert not custom.is_working_day(D(2027, 10, 1))
    assert custom.is_working_day(D(2027, 10, 9))  # a Saturday
    assert not custom.add_working_days(D(2027, 9, 30), 1).provisional


def test_working_days_between():
    assert cal.working_days_between(D(2026, 9, 25), D(2026, 10, 29)) == 20
    assert cal.working_days_between(D(2026, 9, 25), D(2026, 9, 25)) == 0


@pytest.mark.django_db
def test_official_calendar_is_edited_by_the_administrator_only_and_audited(users):
    with pytest.raises(PermissionDenied):
        set_official_day(
            user=users["county_civil"], date=D(2027, 10, 1), kind="holiday", name="国庆节", notice="x"
        )
    set_official_day(
        user=users["admin"],
        date=D(2027, 10, 1),
        kind="holiday",
        name="国庆节",
        notice="国办发明电〔2026〕X号",
    )
    assert not work_calendar().is_working_day(D(2027, 10, 1))
    from safetynet.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="calendar.set_day", object_id="2027-10-01").exists()


@pytest.mark.django_db
def test_command_prints_the_date_on_its_last_line(capsys):
    call_command("workdays", "add", "--from", "2026-09-25", "--days", "20")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2026-10-29"


def test_command_works_without_a_migrated_database(tmp_path):
    env = {"SAFETYNET_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "safetynet.cli", "workdays", "add", "--from", "2026-09-25", "--days", "20"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "2026-10-29"
