"""The result of every action is said on the next page (django.contrib.messages); codes are shown
as the glossary's Chinese on the case page."""

from __future__ import annotations

import re

from django.test import Client

from safetynet.cases.models import Lead
from tests.conftest import PASSWORD, VILLAGE_A


def login(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _flash(html: str) -> str:
    return re.search(r'<div id="flash".*?</div>\s*</div>|<div id="flash"[^>]*></div>', html, re.S).group(0)


def test_dismissing_a_lead_asks_first_and_says_it_was_done(users, poor_household):
    clerk = login(users["township_clerk"])
    r = clerk.post(
        "/cases/leads/",
        {"channel": "grassroots", "village": VILLAGE_A, "household_id": poor_household.pk, "summary": "失业"},
        follow=True,
    )
    lead = Lead.objects.get()
    assert f"已登记线索 {lead.reference}。" in _flash(r.content.decode())
    page = r.content.decode()
    assert re.search(rf'action="/cases/leads/{lead.pk}/dismiss/"[^>]*data-confirm="确定排除线索', page)
    r = clerk.post(f"/cases/leads/{lead.pk}/dismiss/", {"reason": "已享受低保"}, follow=True)
    assert r.status_code == 200
    assert f"线索 {lead.reference} 已排除（不予受理）。" in _flash(r.content.decode())
    again = clerk.get("/cases/leads/").content.decode()  # said once, not on every later page
    assert "已排除（不予受理）" not in again


def test_a_saved_investigation_is_confirmed_and_shown_on_the_case_page(proc, users):
    proc.accept()
    officer = login(users["village_officer"])
    r = officer.post(
        f"/cases/{proc.case_id}/do/transition/",
        {"version": proc.version, "name": "start_investigation"},
        follow=True,
    )
    assert "已办理：开始入户调查。" in _flash(r.content.decode())
    proc.refresh()
    form = {
        "version": proc.version,
        "visited_on": proc.clock.day.isoformat(),
        "investigators": "张干事、刘专干",
        "hardship_causes": ["illness", "unemployment"],
        "living_conditions": "土坯房，漏雨",
        "notes": "情况属实",
    }
    r = officer.post(f"/cases/{proc.case_id}/do/investigation/", form, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "入户调查记录已保存。" in _flash(html)
    section = re.search(r'<section[^>]*id="investigations".*?</section>', html, re.S).group(0)
    assert "张干事、刘专干" in section and "因病、失业或务工就业不稳" in section
    assert "土坯房，漏雨" in section and "情况属实" in section
    assert "illness" not in section


def test_the_case_page_of_a_dibao_decision_shows_no_raw_code(proc, users):
    proc.to_decision()
    proc.decide()
    assert proc.data["state"] == "notice"
    html = login(users["township_clerk"]).get(f"/cases/{proc.case_id}/").content.decode()
    body = re.search(r"<main.*</main>", html, re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", body)  # what a person reads (attributes and markup aside)
    assert "低保" in text
    for code in (
        "dibao",
        "tekun",
        "edge_prone",
        "township_decision",
        "decide_with_notice",
        "accepted",
        "notice →",
    ):
        assert code not in text, code
    assert "受理申请" in text and "审核确认（享受待遇，进入公示）" in text
