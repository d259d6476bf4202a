"""A relief-first payout on a phone (375 px): the village officer records a stranded person's
emergency, the township clerk pays it at once from the reserve fund (confirming in the modal),
and the page shows the new balance and the paperwork deadline, with no horizontal overflow."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from safetynet.relief import services as relief
from safetynet.relief.models import FundEntry, ReliefApplication, ReserveFund
from tests.browser.conftest import flushable_audit_trail  # noqa: F401
from tests.browser.test_layout import browser  # noqa: F401  (the module's Chromium)
from tests.conftest import CHANGNING, PASSWORD, VILLAGE_A

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _login(browser, live_server, username, width=375):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/login/", wait_until="domcontentloaded")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/", wait_until="domcontentloaded")
    return context, page


def test_relief_first_payout_on_a_phone(flushable_audit_trail, browser, live_server, users, today):  # noqa: F811
    relief.allocate_reserve(user=users["county_civil"], township=CHANGNING, amount="2000", note="拨付")

    context, page = _login(browser, live_server, users["village_officer"].username)
    page.goto(f"{live_server.url}/relief/new/")
    page.select_option("#id_kind", "emergency")
    page.fill("#id_applicant_name", "赵流浪")
    page.fill("#id_village", VILLAGE_A)
    page.fill("#id_reason", "外地务工返乡途中钱物被盗，滞留车站")
    page.fill("#id_amount_asked", "abc")
    page.click("#relief-form button[type=submit]")
    assert "金额" in page.inner_text("#relief-form")  # the error beside the field, nothing written
    assert ReliefApplication.objects.count() == 0
    page.fill("#id_amount_asked", "600")
    page.click("#relief-form button[type=submit]")
    page.wait_for_selector("#relief-status")
    assert page.evaluate(OVERFLOW) <= 0
    app = ReliefApplication.objects.get()
    context.close()

    context, page = _login(browser, live_server, users["township_clerk"].username)
    page.goto(f"{live_server.url}/relief/{app.pk}/")
    page.fill("#id_first_amount", "600")
    page.click("#pay-first-form button[type=submit]")
    page.click("#confirm-modal .confirm-ok")
    page.wait_for_selector("#paid-first")
    assert "已先行救助" in page.inner_text("#relief-status")
    assert page.inner_text("#fund-balance").replace(",", "").startswith("1400")
    assert "2026年6月8日" in page.inner_text("#paperwork-due")
    assert page.evaluate(OVERFLOW) <= 0
    page.goto(f"{live_server.url}/relief/fund/{CHANGNING}/?month=2026-06")
    assert page.evaluate(OVERFLOW) <= 0
    assert "救助支出" in page.inner_text("#statement")
    context.close()
    assert ReserveFund.objects.get().balance == Decimal("1400.00")
    assert FundEntry.objects.filter(kind="payout", application=app).count() == 1
