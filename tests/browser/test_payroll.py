"""The payroll's approval chain in headless Chromium: the township clerk generates and submits the
month's payroll, county civil affairs approves and releases it (each destructive step confirmed in
the modal); every step's page shows the state, who did it, and the totals per category and
funding source; the released payroll offers its bank file."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from safetynet.payments.models import Payroll
from tests.browser import test_procedure as _procedure
from tests.conftest import CHANGNING, VILLAGE_A, VILLAGE_B, member
from tests.payments.conftest import Chain, dibao, open_row

browser, day, _page = _procedure.browser, _procedure.day, _procedure._page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser
D = dt.date


def _confirm(page, button) -> None:
    button.click()
    page.locator("#confirm-modal .confirm-ok").click()


def test_the_clerk_submits_and_the_county_approves_and_releases_the_payroll(
    browser,
    live_server,
    flushable_audit_trail,
    make_household,
    make_user,
    day,  # noqa: F811
):
    chain = Chain(make_user)
    for village, name, amount in ((VILLAGE_A, "王大山", "600"), (VILLAGE_B, "张小明", "455.50")):
        h = make_household(village, members=[member("head", name=name)])
        open_row(h, D(2026, 1, 1), dibao(amount))
        chain.account(h.head)

    # 1. The township clerk generates May's payroll and submits it.
    page = _page(browser, live_server, chain.clerk)
    page.goto(f"{live_server.url}/payments/")
    page.fill("#id_month", "2026-05")
    page.locator("#generate-form button[type=submit]").click()
    expect(page.locator("h1 .badge")).to_have_text("草稿")
    totals = page.locator("section.card", has_text="合计（按类别、资金来源）")
    expect(totals).to_contain_text("低保")
    expect(totals).to_contain_text("1,055.50")
    _confirm(page, page.get_by_role("button", name="提交审批"))
    expect(page.locator("h1 .badge")).to_have_text("乡镇已提交")
    expect(page.locator("dl")).to_contain_text(chain.clerk.username)
    payroll = Payroll.objects.get(township__code=CHANGNING, month=D(2026, 5, 1))

    # 2. County civil affairs approves, then releases to the bank.
    page = _page(browser, live_server, chain.county)
    page.goto(f"{live_server.url}/payments/{payroll.pk}/")
    expect(page.locator("section.card", has_text="合计（按类别、资金来源）")).to_contain_text("1,055.50")
    page.fill("#id_note", "核对无误")
    page.get_by_role("button", name="审批通过").click()
    expect(page.locator("h1 .badge")).to_have_text("县民政局已审批")
    expect(page.locator("dl")).to_contain_text(chain.county.username)
    _confirm(page, page.get_by_role("button", name="发放至银行"))
    expect(page.locator("h1 .badge")).to_have_text("已发放至银行")
    expect(page.locator("#reconciliation")).to_contain_text("待发")
    expect(page.get_by_role("button", name="乡宁县农村信用合作联社 代发文件（CSV）")).to_be_visible()
    payroll.refresh_from_db()
    assert (payroll.status, payroll.approved_by_id, payroll.released_by_id) == (
        "released",
        chain.county.pk,
        chain.county.pk,
    )
