"""The village notice as a printable PDF with an embedded Chinese font (Noto Sans CJK SC).

The font comes from the PyPI package ``noto-cjk-sans-otc`` (a project dependency, so ``uv sync``
installs it): it ships Noto Sans CJK 2.004's ``NotoSansCJK-Regular.ttc`` inside the wheel, the same
collection as Debian's ``fonts-noto-cjk``, under the SIL Open Font License 1.1, which allows embedding
the font in documents. No system font and nothing downloaded at run time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import noto_cjk_sans_otc
from fpdf import FPDF

SC_INDEX = 2  # Noto Sans CJK collection: JP, KR, SC, TC, HK, then the Mono faces


def _font() -> Path:
    # The package is installed as files on disk (a wheel unpacked into site-packages), so the
    # resource is a real path that fpdf2 can open.
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def notice_pdf(notice) -> bytes:
    case = notice.case
    village = case.household.village
    ends = notice.earliest_close - dt.timedelta(days=1)
    doc = FPDF(format="A4")
    doc.set_title(f"{village.name}社会救助审核确认结果公示")
    doc.add_font("noto", "", str(_font()), collection_font_number=SC_INDEX)
    doc.add_page()
    doc.set_font("noto", size=18)
    doc.cell(
        0,
        12,
        f"{village.parent.name}{village.name}社会救助审核确认结果公示",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("noto", size=11)
    doc.multi_cell(
        0,
        7,
        f"经入户调查、经济状况核对、村级民主评议和乡镇审核确认，下列对象拟享受社会救助待遇，现予公示。"
        f"公示期自{notice.starts_on:%Y年%m月%d日}至{ends:%Y年%m月%d日}（不少于{notice.min_days}天）。"
        "如有异议，请在公示期内向村（社区）或乡镇便民服务中心反映。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(3)
    widths = (34, 40, 26, 20, 40, 30)
    heads = ("姓名", "村（社区）", "范围", "人数", "类别", "月救助金额（元）")
    doc.set_font("noto", size=10)
    for w, h in zip(widths, heads):
        doc.cell(w, 8, h, border=1, align="C")
    doc.ln()
    for e in notice.entries:
        cells = (
            e["name"],
            e["village"],
            e["scope"],
            str(e["family_size"]),
            e["category"],
            e["benefit_monthly"],
        )
        for w, c in zip(widths, cells):
            doc.cell(w, 8, str(c), border=1, align="C")
        doc.ln()
    doc.ln(6)
    doc.multi_cell(
        0,
        7,
        f"{village.parent.name}人民政府（低收入人口审核确认领导小组）\n{notice.starts_on:%Y年%m月%d日}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("noto", size=8)
    doc.multi_cell(
        0,
        5,
        "依规定，公示不含身份证号码、联系电话、银行账户和健康状况等信息；仅认定为低保边缘家庭等、不享受救助待遇的不予公示。",
    )
    return bytes(doc.output())


def letter_pdf(letter) -> bytes:
    """A letter to the family (变更、停发、复核、提标告知书): title, the text as written, kept with the
    case; the same embedded font as the notice."""
    doc = FPDF(format="A4")
    doc.set_title(letter.title)
    doc.add_font("noto", "", str(_font()), collection_font_number=SC_INDEX)
    doc.add_page()
    doc.set_font("noto", size=18)
    doc.cell(0, 14, letter.title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("noto", size=12)
    body, _, signature = letter.text.rpartition("\n\n")
    doc.multi_cell(0, 8, body or letter.text, new_x="LMARGIN", new_y="NEXT")
    if body:
        doc.ln(8)
        doc.multi_cell(0, 8, signature, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
