import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F

from safetynet.accounts.models import User
from safetynet.core.resident_id import parse_resident_id
from safetynet.demo.generate import generate
from safetynet.demo.load import DEMO_PASSWORD, load_demo
from safetynet.registry.models import Area, Household, Membership, Person

TOWNSHIP_PINYIN = [
    "changning",
    "guanghua",
    "taitou",
    "guantou",
    "xipo",
    "shuanghe",
    "guanwangmiao",
    "weizhuang",
    "xijiaokou",
    "zaoling",
]


def test_demo_county_has_about_ten_thousand_people_in_four_thousand_households_across_all_townships():
    county = generate()
    people = [m for h in county.households for m in h.members]
    assert len(county.households) == 4000
    assert 9000 <= len(people) <= 12000
    assert len({h.village_code[:9] for h in county.households}) == 10
    assert len({m.id_number for m in people}) == len(people)
    for m in people[:2000]:
        rid = parse_resident_id(m.id_number)
        assert rid.region_code == "141029" and rid.birth_date == m.birth_date and rid.sex == m.sex
    sizes = Counter(len(h.members) for h in county.households)
    assert sizes[1] > 0 and sizes[5] > 0
    assert 0.2 < sum(h.alleviated for h in county.households) / 4000 < 0.5
    assert any(m.disability_grade for m in people) and any(m.major_illness for m in people)


def test_demo_is_reproducible_from_its_seed():
    a, b = generate(households=50, seed=7), generate(households=50, seed=7)
    assert [m.id_number for h in a.households for m in h.members] == [
        m.id_number for h in b.households for m in h.members
    ]
    assert (
        generate(households=50, seed=8).households[0].members[0].id_number
        != a.households[0].members[0].id_number
    )


@pytest.mark.django_db
def test_loaded_demo_has_the_documented_accounts_and_synthetic_villages():
    summary = load_demo(generate(households=120))
    assert Household.objects.count() == 120 and Person.objects.count() == summary["persons"]
    names = set(User.objects.values_list("username", flat=True))
    expected = {"admin", "county_mz", "county_nync", "leading_office", "auditor", "county_cz", "dept_yibao"}
    expected |= {f"town_{p}" for p in TOWNSHIP_PINYIN} | {f"village_{p}_1" for p in TOWNSHIP_PINYIN}
    assert expected <= names
    assert User.objects.get(username="town_changning").check_password(DEMO_PASSWORD)
    assert User.objects.get(username="village_changning_1").area.level == "village"
    assert not Area.objects.filter(level="village", synthetic=False).exists()
    assert all(h.head_id for h in Household.objects.all())
    assert not Membership.objects.exclude(village_id=F("household__village_id")).exists()
    assert not Membership.objects.exclude(name_initials=F("person__name_initials")).exists()


@pytest.mark.django_db
def test_demo_command_loads_once_and_reuses_the_database(capsys):
    call_command("demo", "--no-serve", "--no-exchange", "--households", "30")
    first = capsys.readouterr().out
    assert "已载入演示县" in first and "town_changning" in first
    call_command("demo", "--no-serve", "--no-exchange", "--households", "30")
    assert "数据库已有数据" in capsys.readouterr().out
    assert Household.objects.count() == 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_pages_api_and_static_files_with_a_production_server(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env["SAFETYNET_DATA_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safetynet.cli",
            "demo",
            "--households",
            "40",
            "--no-exchange",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # migrate, load, assess and build the county after admission, on a busy machine
        deadline = time.time() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as r:
                    assert r.status == 200
                    assert r.headers["Server"] == "safetynet"  # waitress, not runserver
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    out = proc.stdout.read() if proc.poll() is not None else "server did not start"
                    raise AssertionError(out) from None
                time.sleep(0.3)
        assert list(tmp_path.glob("*.sqlite3"))
        with urllib.request.urlopen(f"{base}/static/web/htmx.min.js", timeout=5) as r:
            assert r.status == 200 and b"htmx" in r.read(2000)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.django_db
def test_demo_department_samples_are_loaded_and_compared(capsys):
    from safetynet.cases.models import Lead
    from safetynet.demo.load import load_exchange_samples
    from safetynet.verification.models import Upload

    load_demo(generate(households=60))
    load_exchange_samples(None, population=3000)
    assert Upload.objects.filter(status="accepted").values("source").distinct().count() >= 6
    assert Lead.objects.filter(channel__in=["data_comparison", "department_warning"]).exists()


@pytest.mark.django_db
def test_the_demo_after_admission_has_a_roll_with_history_visits_plans_and_relief():
    import datetime as dt  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from safetynet.assessments.models import Assessment  # noqa: PLC0415
    from safetynet.assessments.services import assess_register  # noqa: PLC0415
    from safetynet.assistance.models import Measure  # noqa: PLC0415
    from safetynet.demo.roll import ON_ROLL, RESERVE, after_admission  # noqa: PLC0415
    from safetynet.entitlements.models import Entitlement, EntitlementMember  # noqa: PLC0415
    from safetynet.relief.models import ReliefApplication, ReserveFund  # noqa: PLC0415
    from safetynet.visits.models import Visit  # noqa: PLC0415

    load_demo(generate(households=120, seed=3))
    assess_register(on=timezone.localdate())
    summary = after_admission(county="141029", seed=3)
    entitled = Assessment.objects.filter(category__in=ON_ROLL).values("household_id").distinct().count()
    marked_only = Assessment.objects.exclude(category__in=ON_ROLL).exclude(monitoring_type="").count()
    assert (
        summary["rows"]
        == entitled + marked_only
        == Entitlement.objects.values("household").distinct().count()
    )
    start = Entitlement.objects.order_by("valid_from").first().valid_from
    assert start.day == 1 and (timezone.localdate() - start) > dt.timedelta(days=300)  # a year of history
    assert Entitlement.objects.filter(end_basis="stop").count() == summary["stopped"]
    tekun = EntitlementMember.objects.filter(category="tekun")
    assert not tekun.filter(support_mode="").exists()
    assert summary["visits"] == Visit.objects.count() > 0
    assert summary["measures"] == Measure.objects.count() > 0
    funds = ReserveFund.objects.count()
    assert (
        funds == 10 and ReliefApplication.objects.filter(status="paid_first").count() * 2 == summary["relief"]
    )
    assert all(f.balance <= RESERVE for f in ReserveFund.objects.all())
