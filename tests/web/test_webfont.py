"""The Chinese web font's declaration agrees with how it is built (the browser test loads it)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from safetynet.core import glossary
from safetynet.web import webfont

SITE_CSS = Path(webfont.__file__).parent / "static" / "web" / "site.css"


def _face() -> str:
    css = SITE_CSS.read_text(encoding="utf-8")
    return re.search(r"@font-face\s*{(.*?)}", css, re.S).group(1)


def test_site_css_offers_the_built_face_for_exactly_the_cjk_ranges_it_carries():
    face = _face()
    assert f'font-family: "{webfont.FAMILY}"' in face
    static_dir = Path(webfont.PATH).parent.relative_to("web")  # site.css lives in static/web/
    assert f'url("{static_dir}/{Path(webfont.PATH).name}") format("woff2")' in face
    declared = re.search(r"unicode-range:([^;]+);", face).group(1)
    ranges = [tuple(int(x, 16) for x in r.strip()[2:].split("-")) for r in declared.split(",")]
    assert ranges == list(webfont.CJK_RANGES)
    # the device's own Chinese font first (local), the file last
    assert face.index("local(") < face.index("url(")


def test_the_page_font_stack_puts_the_face_first_and_keeps_the_system_fonts():
    css = SITE_CSS.read_text(encoding="utf-8")
    stack = re.search(r"--bs-font-sans-serif:([^;]+);", css).group(1)
    families = [f.strip().strip('"') for f in stack.split(",")]
    assert families[0] == webfont.FAMILY and "system-ui" in families and families[-1] == "sans-serif"


def test_the_face_carries_every_chinese_character_of_the_labels_and_gb2312():
    chars = set(webfont.charset())
    labels = "".join(
        value
        for table in (glossary.CATEGORY_LABELS, glossary.STATE_LABELS, glossary.TRANSITION_LABELS)
        for value in table.values()
    )
    assert {c for c in labels if webfont.is_cjk(c)} <= chars
    assert {"低", "保", "〔", "〕", "（", "）", "，"} <= chars
    assert len(chars) > 6700  # GB 2312's 6,763 hanzi and its CJK punctuation
    assert all(webfont.is_cjk(c) for c in chars)  # nothing outside the declared ranges


def test_fonts_may_come_from_this_server_under_the_csp():
    assert "font-src 'self'" in settings.CONTENT_SECURITY_POLICY
    assert "safetynet.web.finders.WebFontFinder" in settings.STATICFILES_FINDERS


def test_an_unwritable_cache_leaves_the_font_out_and_the_site_up(monkeypatch, tmp_path):
    from safetynet.web.finders import WebFontFinder

    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the cache directory would be: nothing can be written
    monkeypatch.setenv("SAFETYNET_CACHE_DIR", str(blocked))
    finder = WebFontFinder()
    assert finder.find(webfont.PATH) is None and finder.find(webfont.PATH, find_all=True) == []
    assert list(finder.list([])) == []
    assert finder.find("web/site.css") is None  # other paths are not this finder's
