"""The demo clock: off unless the demo turns it on, never with production HTTPS; when on, the
administrator moves the date forward and the procedure's clock follows (a notice can end)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.utils import timezone

from safetynet.core import clock
from tests.conftest import PASSWORD


def test_the_demo_clock_is_off_by_default(settings):
    assert settings.SAFETYNET_DEMO_CLOCK is False
    assert clock.today() == timezone.localdate()
    with pytest.raises(RuntimeError):
        clock.set_demo_offset(3)


def test_the_demo_clock_is_refused_with_production_https():
    env = {**os.environ, "SAFETYNET_DEMO_CLOCK": "1", "SAFETYNET_HTTPS": "1"}
    code = "import django; django.setup()"
    env["DJANGO_SETTINGS_MODULE"] = "safetynet.settings"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "SAFETYNET_DEMO_CLOCK" in r.stderr


@pytest.fixture
def demo_clock(settings, tmp_path):
    settings.SAFETYNET_DEMO_CLOCK = True
    settings.DATA_DIR = tmp_path
    return settings


def test_the_administrator_moves_the_demo_date_forward_and_the_clock_follows(demo_clock, users, make_user):
    real = timezone.localdate()
    admin = Client()
    assert admin.login(username=users["admin"].username, password=PASSWORD)
    page = admin.get("/demo/clock/").content.decode()
    assert "演示时钟" in page
    admin.post("/demo/clock/", {"days": "5"})
    assert clock.today() == real + dt.timedelta(days=5)
    assert "提前5天" in admin.get("/").content.decode()
    admin.post("/demo/clock/", {"days": "-9"})  # never backwards
    assert clock.today() == real + dt.timedelta(days=5)
    admin.post("/demo/clock/", {"reset": "1"})
    assert clock.today() == real
    clerk = Client()
    assert clerk.login(username=users["township_clerk"].username, password=PASSWORD)
    assert clerk.get("/demo/clock/").status_code == 404  # the administrator's only


@pytest.mark.django_db
def test_without_the_demo_clock_the_page_does_not_exist(users):
    admin = Client()
    assert admin.login(username=users["admin"].username, password=PASSWORD)
    assert admin.get("/demo/clock/").status_code == 404
