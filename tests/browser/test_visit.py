"""A village officer's visit from a phone (375 px), in headless Chromium: the 待办 page shows the
overdue visit, the officer records it with the 两不愁三保障 checklist, finds a risk with one tap
(confirmed in the modal), and the visit page names the lead it raised."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from safetynet.accounts.roles import Role
from safetynet.cases.models import Lead
from safetynet.visits.models import CHECKLIST
from tests.browser import test_procedure as _procedure
from tests.conftest import PASSWORD, VILLAGE_A, member
from tests.rosters.conftest import open_row

browser, day = _procedure.browser, _procedure.day

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser


def test_a_visit_from_a_phone_finds_a_risk_and_raises_a_lead(
    browser,
    live_server,
    flushable_audit_trail,
    make_household,
    make_user,
    day,  # noqa: F811
):
    home = make_household(VILLAGE_A, members=[member("head", name="孤老")])
    open_row(home, dt.date(2026, 1, 1), "tekun", "1500")
    officer = make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "officer_visit_e2e")
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/cases/tasks/")
    expect(page.locator("#tasks-visits")).to_contain_text("1 户已逾期")
    page.locator("#tasks-visits a").first.click()
    expect(page.locator("#visits-due")).to_contain_text(f"户{home.pk}")
    page.get_by_role("link", name="记录探访").click()
    for key in CHECKLIST:
        page.locator(f"#{key}-{'risk' if key == 'medical' else 'ok'}").check()
    page.fill("#notes", "老人腿伤未就医，行动不便")
    page.locator("#risk-found").click()
    page.locator("#confirm-modal .confirm-ok").click()
    expect(page.locator("h1")).to_contain_text("发现风险")
    lead = Lead.objects.get(household=home, channel="grassroots")
    expect(page.locator("#visit-lead")).to_have_text(lead.reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing overflows the phone
    context.close()
