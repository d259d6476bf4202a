"""After admission, in headless Chromium: a member of a 低保 household dies and the register opens a
change case; the clerk sends it to verification, the members are verified again, the review group member
decides the new amount, the county files it; the family's letter is on the case page and the
household's timeline shows the new amount from the next month."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from safetynet.accounts.roles import Role
from safetynet.assessments.services import assess_household
from safetynet.audit.services import SYSTEM
from safetynet.cases.models import Case
from safetynet.entitlements import selectors as ent_selectors
from safetynet.entitlements import services as ent
from safetynet.registry.services import changes as family
from tests.browser import test_procedure as _procedure
from tests.conftest import CHANGNING, VILLAGE_A, member

# The browser and the movable day of the procedure's browser test, as fixtures here too.
browser, day, _page = _procedure.browser, _procedure.day, _procedure._page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser
D = dt.date


def test_a_death_in_a_dibao_household_changes_the_amount_with_a_letter(
    browser,
    live_server,
    flushable_audit_trail,
    make_household,
    make_user,
    day,  # noqa: F811
):
    household = make_household(
        VILLAGE_A,
        members=[member("head", name="王大山", phone="13912345678"), member("spouse", name="李秀英")],
    )
    household.memberships.update(joined_on=D(2020, 1, 1))
    admin = make_user(Role.ADMIN, "14", "admin_change_e2e")
    first = assess_household(user=admin, household_id=household.pk, on=D(2026, 1, 20))
    ent.open_row(
        household=household,
        valid_from=D(2026, 2, 1),
        terms=ent.Terms(category="dibao", benefit_monthly=first.benefit_monthly),
        basis="admission",
        decided_on=D(2026, 1, 20),
        actor=SYSTEM,
    )
    # The village officer records the death in the register: the entitled household gets a change case.
    family.record_leave(
        user=admin,
        household=household,
        membership=household.memberships.get(relation="spouse").pk,
        kind="death",
        left_on=D(2026, 5, 20),
        reason="病故",
    )
    clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING, "clerk_change_e2e")
    reviewer = make_user(Role.REVIEW_MEMBER, CHANGNING, "member_change_e2e")
    civil = make_user(Role.COUNTY_CIVIL, "141029", "civil_change_e2e")

    # 1. The clerk finds the change case on the household page and sends it to verification.
    page = _page(browser, live_server, clerk)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/households/{household.pk}/")
    assert "待遇时间轴" in page.inner_text("#entitlements")
    case = Case.objects.get(household=household)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#kind")).to_have_text("家庭变化")
    case_url = page.url
    page.locator("#reverification-start button").click()
    expect(page.locator("#state").first).to_have_text("经济状况核对")
    for sel in page.locator("#verification-form select").all():
        sel.select_option("consistent")
    page.get_by_role("button", name="保存核对结果").click()
    page.locator("#reverification-complete button").click()
    expect(page.locator("#state").first).to_have_text("乡镇审核确认")

    # 2. The review group member decides: confirming is refused (the result changed), changing works.
    rev = _page(browser, live_server, reviewer)
    rev.on("dialog", lambda d: d.accept())
    rev.goto(case_url)
    assert "低保" in rev.inner_text("#in-force")
    rev.locator("#change-decision-form button").click()
    rev.locator("#confirm-modal .confirm-ok").click()  # the page's confirmation first
    expect(rev.locator("#form-error")).to_contain_text("不一致")
    rev.select_option("#id_change_action", "change")
    rev.locator("#change-decision-form button").click()
    rev.locator("#confirm-modal .confirm-ok").click()
    expect(rev.locator("#state").first).to_have_text("县级备案")
    rev.get_by_role("link", name="救助待遇变更告知书").click()
    expect(rev.locator("#letter")).to_contain_text("2026年07月")

    # 3. The county files it; the timeline changes from next month.
    cty = _page(browser, live_server, civil)
    cty.goto(case_url)
    cty.click("#file-case")
    expect(cty.locator("#state").first).to_have_text(re.compile("^已录入建档"))
    after = ent_selectors.entitlement_on(household, D(2026, 7, 1))
    assert after.benefit_monthly < first.benefit_monthly and after.basis == "change"
    assert ent_selectors.entitlement_on(household, D(2026, 6, 30)).benefit_monthly == Decimal(
        first.benefit_monthly
    )
    cty.goto(f"{live_server.url}/households/{household.pk}/")
    assert "家庭变化" in cty.inner_text("#entitlements")
