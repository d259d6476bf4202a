"""The notice PDF takes its Chinese font from a Python dependency, never from the system's fonts:
`uv sync` on a bare machine is enough to print a notice."""

from __future__ import annotations

import re
from pathlib import Path

import noto_cjk_sans_otc
from django.test import Client

from safetynet.cases import pdf
from tests.conftest import PASSWORD


def test_the_notice_font_is_the_noto_sans_cjk_collection_shipped_by_the_python_package():
    font = pdf._font()
    assert font.is_file() and font.name == "NotoSansCJK-Regular.ttc"
    assert font.parent == Path(noto_cjk_sans_otc.__file__).parent
    assert not str(font).startswith("/usr/share/fonts")


def test_the_notice_pdf_embeds_the_simplified_chinese_face_of_the_packaged_font(proc, users):
    proc.to_decision()
    proc.decide()
    c = Client()
    assert c.login(username=users["township_clerk"].username, password=PASSWORD)
    r = c.get(f"/cases/{proc.case_id}/notice.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z-]+)", r.content))
    assert fonts == {b"NotoSansCJKSC"}
