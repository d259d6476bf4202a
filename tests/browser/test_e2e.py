"""End to end in headless Chromium: sign in, search, open a household, edit a member through
the htmx form, and see the audit entry appear; and the household page at phone width.

Uses Debian's Chromium (never `playwright install`). Without it the tests skip, unless
SAFETYNET_REQUIRE_BROWSER=1 (CI), in which case they fail.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from safetynet.accounts.roles import Role
from tests.browser.conftest import chromium_or_skip
from tests.conftest import PASSWORD, VILLAGE_A, VILLAGE_B, member

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(chromium),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def households(flushable_audit_trail, make_household):
    a = make_household(
        VILLAGE_A,
        members=[
            member("head", name="王建国", phone="13912345678"),
            member("spouse", name="李秀英", birth=dt.date(1968, 7, 9)),
        ],
        address="东关街8号",
    )
    make_household(VILLAGE_B, members=[member("head", name="赵明")], address="西关街2号")
    return {"a": a}


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_search_open_edit_member_and_see_the_audit_entry(browser, live_server, households, make_user):
    clerk = make_user(Role.TOWNSHIP_CLERK, "141029100", "clerk_e2e")
    make_user(Role.AUDITOR, "141029", "auditor_e2e")
    h = households["a"]
    spouse = h.memberships.get(relation="spouse")

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _sign_in(page, live_server, clerk.username)

    # Live search: typing pinyin initials narrows the list without a page load.
    page.click("text=户档案")
    page.wait_for_selector("#results")
    assert "共 2 户" in page.inner_text("#results")
    page.locator("#id_q").press_sequentially("lxy", delay=30)
    expect(page.locator("#results")).to_contain_text("共 1 户")
    assert "东关街8号" in page.inner_text("#results") and "西关街2号" not in page.inner_text("#results")
    assert "q=lxy" in page.url  # the search is in the address bar, so back and reload keep it

    page.click(f"#results a[href='/households/{h.pk}/']")
    page.wait_for_url(f"{live_server.url}/households/{h.pk}/")
    row = page.locator(f"#member-{spouse.pk}")
    assert "李*英" in row.inner_text()

    # Edit the member in place through the htmx form.
    row.get_by_role("button", name="编辑").click()
    form = page.locator(f"#member-{spouse.pk} form")
    form.wait_for()
    form.locator("select[name=disability_kind]").select_option("visual")
    form.locator("select[name=disability_grade]").select_option("1")
    form.locator("input[name=self_care_failed][value=walking]").check()
    form.get_by_role("button", name="保存").click()
    expect(page.locator(f"#member-{spouse.pk}")).to_contain_text("视力1级")
    assert "室内行走" in page.inner_text(f"#member-{spouse.pk}")
    audit = page.inner_text("#household-audit")
    assert "修改人员信息" in audit and "clerk_e2e" in audit and "视力" in audit

    # A bad value comes back beside its field, the form still open with the input kept.
    page.locator(f"#member-{spouse.pk}").get_by_role("button", name="编辑").click()
    form = page.locator(f"#member-{spouse.pk} form")
    form.wait_for()
    form.locator("input[name=phone]").fill("12345")
    form.get_by_role("button", name="保存").click()
    page.wait_for_selector(f"#member-{spouse.pk} #err-phone")
    assert "联系电话格式不正确" in page.inner_text(f"#member-{spouse.pk} #err-phone")
    assert form.locator("input[name=phone]").input_value() == "12345"

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/login/")

    # The auditor finds the same entry in the audit log.
    _sign_in(page, live_server, "auditor_e2e")
    page.click("text=审计日志")
    page.wait_for_url(f"{live_server.url}/audit/")
    page.fill("#a-actor", "clerk_e2e")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/audit/?**")
    first = page.locator("#audit-results tbody tr").first
    text = first.inner_text()
    assert "修改人员信息" in text and "clerk_e2e" in text and "乡镇窗口工作人员" in text
    context.close()


def test_household_page_fits_a_phone_without_horizontal_scrolling(
    browser, live_server, households, make_user
):
    clerk = make_user(Role.TOWNSHIP_CLERK, "141029100", "clerk_phone")
    h = households["a"]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    _sign_in(page, live_server, clerk.username)
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    for path in (f"/households/{h.pk}/", "/households/", "/households/new/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(overflow) <= 0, f"{path} scrolls sideways at 375px"
    # An open edit form must fit too.
    page.goto(f"{live_server.url}/households/{h.pk}/")
    page.locator("tr[id^=member-]").first.get_by_role("button", name="编辑").click()
    page.wait_for_selector("tr.editing form")
    assert page.evaluate(overflow) <= 0, "the member edit form scrolls sideways at 375px"
    context.close()
