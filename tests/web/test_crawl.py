"""Every demo role, every menu page and every same-site page linked from it (one level deep):
no 4xx/5xx. The demo county is built small (a few households) with a lead and a case in it, so
lead, case and household pages are reached too. Every list table the crawl shows is also rendered
by django-tables2's own cells, and the two must agree (web/lists/render.py)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from safetynet.accounts.models import User
from safetynet.assessments.services import assess_register
from safetynet.cases import services
from safetynet.core.resident_id import make_resident_id
from safetynet.demo.generate import generate
from safetynet.demo.load import demo_accounts, load_demo, load_exchange_samples
from safetynet.demo.roll import after_admission
from safetynet.registry.models import Household
from safetynet.web.lists import render

SKIP = re.compile(r"(/logout/|\.xlsx$|\.pdf$|\.csv$|/attachments/|/reveal/|^/static/|^/media/|^/api/)")
PER_SHAPE = 2  # pages of one shape (/households/<n>/ …) opened per role


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nav_depth = 0
        self.nav, self.all = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self.nav_depth += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.all.append(href)
            if self.nav_depth:
                self.nav.append(href)

    def handle_endtag(self, tag):
        if tag == "nav" and self.nav_depth:
            self.nav_depth -= 1


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _local(href: str) -> str | None:
    href = urldefrag(href)[0]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
        return None
    return href


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


@pytest.fixture
def demo_county(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the department files of this demo live apart
    load_demo(generate(households=40, seed=7))
    assess_register(on=timezone.localdate())
    after_admission(county="141029", seed=7)  # the roll, visits, plans and relief to crawl too
    load_exchange_samples(None, population=1500)  # uploads, a comparison run and its audit records
    officers = User.objects.filter(username__startswith="village_").select_related("area")
    household = Household.objects.filter(village__in=[o.area for o in officers]).first()
    assert household is not None, "a bigger demo county: no household in a demo officer's village"
    officer = next(o for o in officers if o.area_id == household.village_id)
    clerk = User.objects.get(role="township_clerk", area=household.village.parent)
    lead, _ = services.file_lead(
        user=officer,
        channel="grassroots",
        village_code=officer.area.code,
        household_id=household.pk,
        summary="走访发现家庭困难",
    )
    services.file_lead(
        user=officer,
        channel="grassroots",
        village_code=officer.area.code,
        subject_name="赵新户",
        subject_id_number=make_resident_id("141029", dt.date(1980, 3, 4), 77),
        summary="无户档案的困难群众",
    )
    services.accept_case(user=clerk, household=household.pk, lead_ids=[lead.pk])
    return household


@pytest.fixture
def checked_tables(monkeypatch):
    """The names of the tables rendered, each checked cell by cell against django-tables2's own
    rendering (`BoundRow.items`, the column's td attributes as the row sets them)."""
    checked = set()
    fast_rows = render.rows

    def rows(table):
        counter = copy.copy(table._counter)  # tables2 numbers the rows it makes (odd/even)
        fast = list(fast_rows(table))
        table._counter = counter
        reference = [
            (
                row.attrs.as_html(),
                [(column.attrs["td"].as_html(), column.verbose_name, cell) for column, cell in row.items()],
            )
            for row in table.paginated_rows
        ]
        assert len(fast) == len(reference), type(table).__name__
        for (attrs, cells), (ref_attrs, ref_cells) in zip(fast, reference, strict=True):
            assert attrs == ref_attrs
            assert [(td.strip(), label, str(render.shown(v))) for td, label, v in cells] == [
                (td, label, str(render.shown(v))) for td, label, v in ref_cells
            ], type(table).__name__
        if fast:
            checked.add(type(table).__name__)
        return iter(fast)

    monkeypatch.setattr(render, "rows", rows)
    return checked


def test_every_demo_role_opens_every_menu_page_and_the_pages_they_link_without_an_error(
    demo_county, checked_tables
):
    failures, opened, shapes_opened = [], 0, set()
    for account in demo_accounts():
        client = Client()
        client.force_login(User.objects.get(username=account.username))
        home = client.get("/")
        assert home.status_code == 200, account.username
        menu = [u for u in (_local(h) for h in _links(home.content.decode()).nav) if u]
        assert menu, f"{account.username}: no menu"
        seen, shapes = set(), {}
        for url in menu:
            seen.add(url)
            page = client.get(url)
            opened += 1
            shapes_opened.add(_shape(url))
            if page.status_code >= 400:
                failures.append((account.username, url, page.status_code, "menu"))
                continue
            if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                continue
            for href in _links(page.content.decode()).all:
                target = _local(href)
                if not target or target in seen:
                    continue
                seen.add(target)
                shape = _shape(target)
                shapes[shape] = shapes.get(shape, 0) + 1
                if shapes[shape] > PER_SHAPE:
                    continue
                linked = client.get(target)
                opened += 1
                shapes_opened.add(shape)
                if linked.status_code >= 400:
                    failures.append((account.username, target, linked.status_code, url))
    assert not failures, failures
    assert opened > 100
    # the crawl reaches the work pages, not only the menus
    assert {"/cases/tasks/", "/cases/leads/N/", "/cases/N/", "/households/N/", "/audit/"} <= shapes_opened
    # the fast rows agree with django-tables2's on the lists (web/lists/render.py)
    assert {
        "LeadTable",
        "CaseTable",
        "HouseholdTable",
        "RosterTable",
        "ReliefTable",
        "AuditTable",
    } <= checked_tables
