"""Every page, as every demo role: on a small demo county (with its department data compared, so
leads and runs exist), each role logs in, opens every page its navigation offers and every page
those link to, one level deep (GET only; logout, downloads and the API aside), and none answers
a 4xx or 5xx."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client

from safetynet.demo.generate import generate
from safetynet.demo.load import DEMO_PASSWORD, load_demo, load_exchange_samples

SKIP = re.compile(r"^/(logout/|api/|static/)|\.(pdf|xlsx|csv)$|/attachments/\d+/|/export")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nav, self.links, self._in_nav = [], [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        if tag == "a" and a.get("href"):
            href = urldefrag(a["href"])[0]
            if href.startswith("/") and not href.startswith("//"):
                (self.nav if self._in_nav else self.links).append(href)

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


# One account of each role, as the README lists them (the ten townships are alike).
ACCOUNTS = (
    "admin",
    "county_mz",
    "county_nync",
    "leading_office",
    "auditor",
    "dept_yibao",
    "town_changning",
    "review_changning",
    "leader_changning",
    "village_changning_1",
)


def _crawl(username: str) -> tuple[list, int]:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD), username
    home = client.get("/")
    assert home.status_code == 200, username
    menu = set(_links(home.content.decode()).nav) | {"/"}
    failures, seen = [], set()
    for page in sorted(menu):
        if SKIP.search(page) or page in seen:
            continue
        seen.add(page)
        r = client.get(page)
        if r.status_code >= 400:
            failures.append((page, r.status_code))
            continue
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        parsed = _links(r.content.decode())
        for link in sorted(set(parsed.links + parsed.nav))[:40]:
            if SKIP.search(urlparse(link).path) or link in seen:
                continue
            seen.add(link)
            answer = client.get(link)
            if answer.status_code >= 400:
                failures.append((f"{page} → {link}", answer.status_code))
    return failures, len(seen)


@pytest.mark.django_db
def test_every_page_every_role_can_reach_answers_without_error(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the department files of this demo live apart
    load_demo(generate(households=80))
    load_exchange_samples(None, population=2000)
    found = {}
    for username in ACCOUNTS:
        failures, pages = _crawl(username)
        assert pages > 3, username
        if failures:
            found[username] = failures
    assert not found, found
