"""The main pages checked in Chromium at desk (1366 px) and phone (375 px) width, on a small demo
county with a case at the township decision: no horizontal overflow of the page, no table cell
narrower than two characters, every table's header cells above their body columns, no amount
wrapped mid-number; the village officer's phone menu on one line; the Chinese web font served
(Debian's Chromium has no CJK system font: without it the screenshots show boxes).
Screenshots go to var/screenshots/ (git-ignored), kept by CI as its output."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from safetynet.demo.generate import generate
from safetynet.demo.load import DEMO_PASSWORD, load_demo
from safetynet.web import webfont
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
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, narrow: [], misaligned: [],
               amounts: 0, wrapped: []};
  const fontPx = parseFloat(getComputedStyle(document.body).fontSize);
  for (const amount of document.querySelectorAll('.amount')) {
    if (!amount.offsetParent) continue;
    out.amounts += 1;
    // an inline box broken across lines has one client rect per line
    if (amount.getClientRects().length > 1) out.wrapped.push(amount.textContent.trim());
  }
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
    webfont.build()  # once per font and character set (cached): pages then load it at once
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
    problems, amounts = [], 0
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
                problems += [f"{path} @{width}: amount wrapped mid-number ({a})" for a in m["wrapped"]]
                amounts += m["amounts"]
            context.close()
    assert not problems, "\n".join(problems)
    assert amounts, "no amount on the pages measured: the wrapping check saw nothing"


def _login(browser, live_server, username, password, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


NAV_ROW = """() => {
  const box = el => el.getBoundingClientRect();
  const items = [...document.querySelectorAll('#nav-compact .nav-item')].map(box);
  const line = items.length ? Math.max(...items.map(r => r.height)) : 0;
  return {
    labels: [...document.querySelectorAll('#nav-compact .nav-link')].map(a => a.textContent.trim()),
    tops: items.map(r => Math.round(r.top)),
    line,
    menu: box(document.querySelector('#nav-compact')).height,
    brand: box(document.querySelector('.navbar-brand')),
    toggler: box(document.querySelector('.navbar-toggler')),
    row: items.length ? {top: Math.min(...items.map(r => r.top)), bottom: Math.max(...items.map(r => r.bottom))} : null,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


def test_the_village_officers_phone_menu_is_one_line_at_375_px(
    browser, live_server, flushable_audit_trail, users
):
    context, page = _login(browser, live_server, users["village_officer"].username, PASSWORD, 375)
    page.goto(f"{live_server.url}/cases/tasks/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / "village-officer-menu-375.png"))
    nav = page.evaluate(NAV_ROW)
    context.close()
    assert nav["labels"] == ["线索", "入户调查", "待办", "巡访"]
    assert len(set(nav["tops"])) == 1, f"menu items on several lines: tops {nav['tops']}"
    assert nav["menu"] <= nav["line"] + 1, f"menu {nav['menu']} px high for a {nav['line']} px line"
    row = nav["row"]
    for part in ("brand", "toggler"):  # the brand and the toggler share the menu's line
        assert nav[part]["top"] < row["bottom"] and nav[part]["bottom"] > row["top"], (part, nav)
    assert nav["overflow"] <= 1


FONT = """async family => {
  const faces = await document.fonts.load(`16px "${family}"`, '低保');
  return {
    loaded: faces.filter(f => f.status === 'loaded').map(f => f.family),
    check: document.fonts.check(`16px "${family}"`, '低保'),
    body: getComputedStyle(document.body).fontFamily,
  };
}"""


def test_the_chinese_web_font_is_served_and_loads(browser, live_server, flushable_audit_trail, users):
    context, page = _login(browser, live_server, users["township_clerk"].username, PASSWORD, 375)
    refused = []
    page.on(
        "console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    font = page.request.get(f"{live_server.url}/static/{webfont.PATH}")
    assert font.status == 200 and font.body()[:4] == b"wOF2"
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    state = page.evaluate(FONT, webfont.FAMILY)
    page.screenshot(path=str(SHOTS / "home-font-375.png"))
    tofu = _drawn_without_a_cjk_font(page, ".navbar-brand span:not(.d-none), h1, .card-header, .btn")
    context.close()
    assert state["loaded"] and all(webfont.FAMILY in f for f in state["loaded"]), state
    assert state["check"] is True
    assert webfont.FAMILY in state["body"]  # the page's own font stack offers it
    assert not tofu, f"Chinese drawn by a font without CJK glyphs (boxes): {tofu}"
    assert not refused, refused


CJK_FONT = ("CJK", "PingFang", "YaHei", "Han Sans", "HarmonyOS", "MiSans")


def _drawn_without_a_cjk_font(page, selector: str) -> list[str]:
    """The elements whose Chinese characters Chromium drew with a font that has no CJK glyphs —
    what shows as boxes — asked of DevTools (CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    bad = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        html = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
        text = re.sub(r"<[^>]+>", "", html)
        cjk = sum(webfont.is_cjk(ch) for ch in text)
        if not cjk:
            continue
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        if not fonts:
            continue  # not drawn (a folded menu, a closed dialog)
        drawn = sum(f["glyphCount"] for f in fonts if any(k in f["familyName"] for k in CJK_FONT))
        if drawn < cjk:
            bad.append(f"{text.strip()[:20]} ({', '.join(f['familyName'] for f in fonts)})")
    return bad
