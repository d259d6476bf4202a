"""The leading group's dashboard in a browser: the ECharts charts render from the page's JSON
(no inline script under the CSP), and clicking through a linked number opens its list."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from safetynet.audit.services import SYSTEM
from safetynet.entitlements import services as ent
from tests.browser.conftest import flushable_audit_trail  # noqa: F401
from tests.browser.test_layout import browser  # noqa: F401  (the module's Chromium)
from tests.browser.test_relief import _login
from tests.conftest import VILLAGE_A, VILLAGE_C

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser


def test_the_dashboard_draws_its_charts(flushable_audit_trail, browser, live_server, users, make_household):  # noqa: F811
    from decimal import Decimal

    for village in (VILLAGE_A, VILLAGE_C):
        ent.open_row(
            household=make_household(village),
            valid_from=dt.date(2025, 1, 1),
            terms=ent.Terms(category="dibao", benefit_monthly=Decimal("600")),
            basis="admission",
            decided_on=dt.date(2025, 1, 1),
            actor=SYSTEM,
        )
    context, page = _login(browser, live_server, users["leading_office"].username, width=1280)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/reports/dashboard/")
    for chart in ("chart-stock", "chart-flows", "chart-money", "chart-leads", "chart-lines"):
        page.wait_for_selector(f"#{chart}[data-rendered='1'] canvas")
        box = page.locator(f"#{chart} canvas").first.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100
    assert not errors, errors
    assert page.inner_text("#stock").count("2 / 2") >= 1
    page.locator("#stock a.drill").last.click()
    page.wait_for_url("**/rosters/**")
    assert "共" in page.inner_text("body")
    context.close()
