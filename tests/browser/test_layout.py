"""The main pages checked in Chromium at desk (1366 px) and phone (375 px) width, on a small demo
county with a case at the township decision: no horizontal overflow of the page, no table cell
narrower than two characters, and every table's header cells above their body columns.
Screenshots go to var/screenshots/ (git-ignored), kept by CI as its output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safetynet.demo.generate import generate
from safetynet.demo.load import DEMO_PASSWORD, load_demo
from tests.browser.conftest import chromium_or_skip
from tests.cases.conftest import (  # noqa: F401  (fixtures of the case tests)
    Proc,
    _jobs_and_media,
    clock,
    poor_household,
)
from tests.conftest import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1366, 375)

# Measured in the page (DevTools evaluation, which the page's CSP does not govern).
MEASURE = """() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, narrow: [], misaligned: []};
  const fontPx = parseFloat(getComputedStyle(document.body).fontSize);
  for (const table of document.querySelectorAll('table')) {
    if (!table.offsetParent) continue;
    const shown = getComputedStyle(table).display === 'table';
    for (const td of table.querySelectorAll('tbody td')) {
      const r = td.getBoundingClientRect();
      if (td.textContent.trim().length > 1 && r.width > 0 && r.width < 2 * fontPx) out.narrow.push((table.id || 'table') + ': ' + td.textContent.trim().slice(0, 12));
    }
    if (!shown) continue;
    const ths = [...table.querySelectorAll('thead th')];
    const row = table.querySelector('tbody tr');
    if (!row || !ths.length) continue;
    const tds = [...row.children];
    if (tds.length !== ths.length) continue;
    ths.forEach((th, i) => {
      if (Math.abs(th.getBoundingClientRect().left - tds[i].getBoundingClientRect().left) > 2)
        out.misaligned.push((table.id || 'table') + ' column ' + (i + 1));
    });
  }
  return out;
}"""


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
def county_with_a_case(flushable_audit_trail, users, poor_household, clock):  # noqa: F811
    load_demo(generate(households=40))
    proc = Proc(users, poor_household, clock)
    proc.to_decision()
    from safetynet.cases import services
    from safetynet.registry.models import Household

    for household in Household.objects.filter(village__code__startswith="141029100").exclude(
        pk=proc.household.pk
    )[:3]:
        services.file_lead(
            user=users["admin"],
            channel="grassroots",
            village_code=household.village.code,
            summary="入户排查发现：户主突发重病，医疗自付费用高，家庭收入骤减，需核实是否符合救助条件。",
            household_id=household.pk,
        )
    return proc


def test_the_main_pages_fit_desk_and_phone(browser, live_server, county_with_a_case, users):
    proc = county_with_a_case
    pages = {
        "town_changning": [
            "/",
            "/cases/",
            "/cases/leads/",
            "/cases/dashboard/",
            "/households/",
            "/policy/parameters/",
        ],
        users["township_clerk"].username: [f"/cases/{proc.case_id}/", f"/households/{proc.household.pk}/"],
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        for username, paths in pages.items():
            context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD if username == "town_changning" else PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
                m = page.evaluate(MEASURE)
                if m["overflow"] > 1:
                    problems.append(f"{path} @{width}: page {m['overflow']} px wider than the screen")
                problems += [f"{path} @{width}: cell too narrow ({c})" for c in m["narrow"]]
                problems += [f"{path} @{width}: header misaligned ({c})" for c in m["misaligned"]]
            context.close()
    assert not problems, "\n".join(problems)
