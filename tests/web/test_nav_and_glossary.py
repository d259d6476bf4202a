"""The role-shaped menu (web/nav.py) and the glossary filters (web/templatetags/glossary.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client

from safetynet.accounts.roles import Role
from safetynet.core import glossary
from tests.conftest import PASSWORD

# Exactly what each role is offered (derived from accounts.roles permissions).
MENUS = {
    Role.VILLAGE_OFFICER: {"relief", "assistance", "leads", "cases", "investigations", "tasks", "visits", "inbox", "dashboard", "households", "rosters", "household_new", "parameters"},
    Role.TOWNSHIP_CLERK: {"relief", "assistance", "campaigns", "cases", "dashboard", "household_new", "households", "rosters", "inbox", "investigations", "leads", "parameters", "payrolls", "reports", "statistics", "tasks", "visits", "leading_dashboard"},
    Role.REVIEW_MEMBER: {"assistance", "campaigns", "cases", "dashboard", "households", "rosters", "inbox", "parameters", "reports", "statistics", "sittings", "tasks"},
    Role.REVIEW_LEADER: {"assistance", "campaigns", "cases", "dashboard", "households", "rosters", "inbox", "parameters", "reports", "statistics", "sittings", "tasks", "leading_dashboard"},
    Role.COUNTY_CIVIL: {"relief", "assistance", "campaigns", "cases", "dashboard", "household_new", "households", "rosters", "inbox", "leads", "parameters", "payrolls", "reports", "statistics", "simulate", "standards", "tasks", "leading_dashboard"},
    Role.COUNTY_AGRI: {"assistance", "cases", "dashboard", "households", "rosters", "inbox", "leads", "parameters", "reports", "statistics", "simulate", "tasks", "leading_dashboard"},
    Role.LEADING_OFFICE: {"assistance", "cases", "dashboard", "households", "rosters", "inbox", "parameters", "reports", "statistics", "simulate", "tasks", "leading_dashboard"},
    Role.DEPT_LIAISON: {"assistance", "exchange"},
    Role.AUDITOR: {"assistance", "audit", "cases", "dashboard", "households", "rosters", "inbox", "parameters", "payrolls", "reports", "statistics", "tasks"},
    Role.FINANCE: {"payrolls", "statistics", "leading_dashboard"},
    Role.ADMIN: {
        "assistance", "audit", "campaigns", "cases", "dashboard", "exchange", "household_new", "households", "inbox", "investigations", "leads", "parameters", "payrolls", "relief", "reports", "statistics", "rosters", "simulate", "sittings", "standards", "tasks", "visits", "leading_dashboard",
    },
}  # fmt: skip


def _home(user) -> str:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    r = c.get("/")
    assert r.status_code == 200
    return r.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_its_menu_entries_and_each_opens(role, make_user):
    user = make_user(role)
    if role == Role.DEPT_LIAISON:  # a liaison works on the sources assigned to them
        from safetynet.audit.services import SYSTEM
        from safetynet.verification import services

        services.assign_liaison_source(actor=SYSTEM, user=user, source="medical")
    html = _home(user)
    shown = re.findall(r'data-nav="([a-z_]+)" href="([^"]+)"', html)
    assert {key for key, _ in shown} == MENUS[role]
    assert len(shown) == len(MENUS[role])  # no entry twice
    c = Client()
    c.login(username=user.username, password=PASSWORD)
    for _, href in shown:  # every entry offered is a page the role can open
        assert c.get(href.replace("&amp;", "&")).status_code == 200, href


def test_the_liaison_is_offered_no_household_file_and_no_lead_form(make_user):
    html = _home(make_user(Role.DEPT_LIAISON))
    assert "户档案" not in re.sub(r"<main.*", "", html, flags=re.S)
    assert 'href="/cases/leads/"' not in html


def test_the_village_officer_gets_a_compact_phone_menu_of_four(make_user):
    html = _home(make_user(Role.VILLAGE_OFFICER))
    compact = re.search(r'<ul[^>]*id="nav-compact".*?</ul>', html, re.S).group(0)
    assert re.findall(r'data-nav="([a-z_]+)"', compact) == ["leads", "investigations", "tasks", "visits"]
    clerk = _home(make_user(Role.TOWNSHIP_CLERK))
    assert 'id="nav-compact"' not in clerk


def test_the_page_s_own_entry_is_marked_and_the_phone_line_keeps_the_whole_label_as_title(make_user):
    c = Client()
    assert c.login(username=make_user(Role.VILLAGE_OFFICER).username, password=PASSWORD)
    html = c.get("/visits/").content.decode()
    compact = re.search(r'<ul[^>]*id="nav-compact".*?</ul>', html, re.S).group(0)
    visits = '<a class="nav-link active" data-nav="visits" href="/visits/" aria-current="page" title="巡访探视">巡访</a>'
    assert visits in compact
    assert re.findall(r'class="nav-link active"', html) == ['class="nav-link active"']  # folded: not there
    assert '<a class="nav-link" data-nav="leads" href="/cases/leads/">线索</a>' in compact
    clerk = Client()
    assert clerk.login(username=make_user(Role.TOWNSHIP_CLERK).username, password=PASSWORD)
    html = clerk.get("/cases/?state=investigation").content.decode()
    assert (
        '<a class="nav-link active" data-nav="investigations" href="/cases/?state=investigation"'
        ' aria-current="page">入户调查</a>'
    ) in html  # the folded bar: whole labels, no title
    assert html.count('aria-current="page"') == 1


def _render(source: str, **context) -> str:
    return Template("{% load glossary %}" + source).render(Context(context))


def test_the_label_filter_reads_the_glossary_and_passes_unknown_codes_through():
    assert _render('{{ c|label:"category" }}', c="dibao") == "低保"
    assert _render('{{ c|label:"monitoring" }}', c="edge_prone") == "边缘易致贫户"
    assert _render('{{ c|label:"state" }}', c="township_decision") == "乡镇审核确认"
    assert _render('{{ c|label:"transition" }}', c="accept") == "受理申请"
    assert _render('{{ c|label:"unit" }}', c="yuan/month") == "元/月"
    assert _render('{{ c|label:"unit" }}', c="months") == "月"
    assert _render('{{ c|label:"audit" }}', c="assessment.create") == "保存统一核算测算"
    assert _render('{{ c|label:"category" }}', c="brand_new_code") == "brand_new_code"
    assert _render('{{ c|label:"no_such_kind" }}', c="dibao") == "dibao"
    assert _render('{{ c|labels_of:"hardship" }}', c=["illness", "xyz"]) == "因病、xyz"


def test_amounts_have_thousands_separators_exactly_and_do_not_wrap():
    assert _render("{{ v|grouped }}", v=Decimal("1234567.50")) == "1,234,567.50"
    assert _render("{{ v|grouped }}", v=Decimal("-1000")) == "-1,000"
    assert _render("{{ v|grouped }}", v="260.00") == "260.00"
    assert _render("{{ v|grouped }}", v="not a number") == "not a number"
    assert (
        _render("{{ v|money }}", v=Decimal("86000.00")) == '<span class="amount text-nowrap">86,000.00</span>'
    )


def test_every_transition_of_the_procedure_has_its_glossary_label():
    from safetynet.cases import workflow

    for t in workflow.TRANSITIONS:
        assert glossary.TRANSITION_LABELS[t.name] == t.label
    for state in workflow.State:
        assert state.value in glossary.STATE_LABELS


def test_every_parameter_unit_has_a_chinese_label():
    from safetynet.policy.params import UNITS

    assert set(UNITS) <= set(glossary.UNIT_LABELS)
