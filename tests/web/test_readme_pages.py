"""The README's list of web pages names only addresses that exist (it once named a `/search/`)."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import Resolver404, resolve

README = Path(__file__).resolve().parents[2] / "README.md"


def _named_pages() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Web pages", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`(/[^`\s]*)`", section)


def test_every_page_the_readme_names_exists():
    pages = _named_pages()
    assert "/households/" in pages and len(pages) >= 6
    missing = []
    for page in pages:
        try:
            resolve(re.sub(r"<[^>]+>", "1", page))
        except Resolver404:
            missing.append(page)
    assert not missing, missing
