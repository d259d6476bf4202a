"""The single procedure in headless Chromium: a public application becomes a case, which each
role moves through its step on the case page — investigation with the signed consent uploaded,
verification, the village review, the township decision, the notice (5 days later), county
filing — until the household is archived. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from playwright.sync_api import expect

from safetynet.accounts.roles import Role
from safetynet.cases.models import Case
from safetynet.core import clock
from safetynet.entitlements.models import Entitlement
from tests.browser.conftest import chromium_or_skip
from tests.conftest import CHANGNING, PASSWORD, VILLAGE_A, member, new_id

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


class Day:
    value = dt.date(2026, 6, 1)


@pytest.fixture
def day(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    d = Day()
    monkeypatch.setattr(clock, "today", lambda: d.value)
    return d


def _page(browser, live_server, user):
    context = browser.new_context(locale="zh-CN", viewport={"width": 420, "height": 900})  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_public_application_goes_through_every_step_to_the_archive(
    browser, live_server, flushable_audit_trail, make_household, make_user, day, tmp_path
):
    number = new_id(dt.date(1968, 3, 2))
    household = make_household(
        VILLAGE_A,
        members=[
            member("head", name="王大山", id_number=number),
            member("spouse", name="李秀英", birth=dt.date(1970, 8, 9)),
        ],
    )
    officer = make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "officer_e2e")
    clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_proc_e2e")
    leader = make_user(Role.REVIEW_LEADER, CHANGNING, "leader_e2e")
    make_user(Role.REVIEW_MEMBER, CHANGNING, "member_e2e")
    make_user(Role.REVIEW_MEMBER, CHANGNING, "member_two_e2e")  # the group's quorum is three
    civil = make_user(Role.COUNTY_CIVIL, "141029", "civil_e2e")
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(PDF)

    # 1. The public application (no account) gives a reference number.
    ctx = browser.new_context(locale="zh-CN")
    pub = ctx.new_page()
    pub.goto(f"{live_server.url}/apply/")
    pub.fill("#id_name", "王大山")
    pub.fill("#id_id_number", number)
    pub.select_option("#id_village", VILLAGE_A)
    pub.fill("#id_phone", "13912345678")
    pub.fill("#id_summary", "妻子患病，无力负担医药费")
    pub.click("button[type=submit]")
    reference = pub.inner_text("#reference")
    assert reference.startswith("XN-L-")

    # 2. The clerk finds it in the township worklist (matched to the household by ID) and accepts it.
    page = _page(browser, live_server, clerk)
    page.goto(f"{live_server.url}/cases/leads/")
    row = page.locator("#leads tr", has_text=reference)
    assert "自主申报" in row.inner_text() and "户" in row.inner_text()
    row.get_by_role("button", name="受理").click()
    page.wait_for_selector("#state")
    assert page.inner_text("#state") == "已受理"
    assert "2026-06-30" in page.inner_text("#deadline")
    case_url = page.url
    case = Case.objects.get(household=household)

    # 3. The village officer, on a phone: investigation, the signed consent, on to verification.
    off = _page(browser, live_server, officer)
    off.goto(case_url)
    off.get_by_role("button", name="开始入户调查").click()
    off.wait_for_selector("#investigation-form")
    off.get_by_role("button", name="提交经济状况核对").click()
    assert "入户调查记录未填写" in off.inner_text("#form-error")
    off.fill("#id_investigators", "刘专干、张干事")
    off.check("input[name=hardship_causes][value=illness]")
    off.get_by_role("button", name="保存调查记录").click()
    off.wait_for_selector("#consent-form")
    off.get_by_role("button", name="提交经济状况核对").click()
    assert "承诺授权书未上传" in off.inner_text("#form-error")
    off.set_input_files("#id_consent_file", str(scan))
    off.locator("#consent-form").get_by_role("button", name="上传").click()
    off.wait_for_selector("#start-verification")
    off.click("#start-verification")
    expect(off.locator("#state").first).to_have_text("经济状况核对")

    # 4. The clerk enters the verification results by hand.
    page.goto(case_url)
    for sel in page.locator("#verification-form select").all():
        sel.select_option("consistent")
    page.get_by_role("button", name="保存核对结果").click()
    page.click("#complete-verification")
    expect(page.locator("#state").first).to_have_text(re.compile("^村级初审"))

    # 5. The village review: the signed record, then the vote.
    off.goto(case_url)
    off.set_input_files("#id_review_file", str(scan))
    off.locator("#review-record-form").get_by_role("button", name="上传").click()
    off.wait_for_selector("#review-form")
    off.fill("#id_attendees", "村两委、党员代表、群众代表")
    off.fill("#id_attendee_count", "9")
    off.fill("#id_votes_for", "8")
    off.fill("#id_votes_against", "1")
    off.get_by_role("button", name="保存评议结果").click()
    expect(off.locator("#state").first).to_have_text("乡镇审核确认")

    # 6. The review leader sees the engine's proposal and records the group's decision on today's
    # sitting; the group (a quorum of three) votes, and only the leader's confirmation makes the
    # decision take effect.
    lead = _page(browser, live_server, leader)
    lead.goto(case_url)
    lead.click("#propose")
    lead.wait_for_selector("#proposal")
    proposal = lead.inner_text("#proposal")
    assert "低保" in proposal and "dibao" not in proposal  # the category in plain Chinese
    lead.fill("#id_panel", "组长、民政助理、乡村振兴专干")
    lead.click("#decide")
    lead.wait_for_selector("#pending-decision")
    assert lead.inner_text("#state") == "乡镇审核确认"
    lead.click("#sitting-link")
    lead.wait_for_selector("#attendance-form")
    for box in lead.locator("#attendance-form input[name=attendee_ids]").all():
        box.check()
    lead.click("#save-attendance")
    lead.wait_for_selector(".vote-form")
    lead.fill(".vote-form .votes-for", "3")
    lead.click(".vote-form .record-vote")
    expect(lead.locator(".item-status").first).to_have_text(re.compile("^表决通过"))
    lead.click("#confirm-sitting")
    expect(lead.locator("#sitting-status").first).to_have_text("组长已确认")
    lead.goto(case_url)
    assert lead.inner_text("#state") == "公示"
    lead.goto(f"{case_url}notice/")
    assert "王*山" in lead.inner_text("#notice-entries") and "王大山" not in lead.content()

    # 7. Five days later the clerk closes the notice; the county files and archives.
    page.goto(case_url)
    page.click("#close-notice")
    assert "公示期不少于5天" in page.inner_text("#form-error")
    day.value = dt.date(2026, 6, 6)
    page.goto(case_url)
    page.click("#close-notice")
    expect(page.locator("#state").first).to_have_text("县级备案")
    cty = _page(browser, live_server, civil)
    cty.goto(case_url)
    cty.click("#file-case")
    cty.wait_for_selector("#archive")
    assert "2026年7月起" in cty.inner_text("#archive")
    assert Entitlement.objects.get(household=household, valid_until__isnull=True).category == "dibao"
    case.refresh_from_db()
    assert case.state == "archived"

    # 8. The applicant sees only a coarse status.
    pub.goto(f"{live_server.url}/apply/status/")
    pub.fill("#id_reference", reference)
    pub.fill("#id_id_last4", number[-4:])
    pub.click("button[type=submit]")
    assert "已办结" in pub.inner_text("#status")
