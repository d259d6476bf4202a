"""`{% load glossary %}`: codes shown as the glossary's Chinese, amounts with thousands separators.

    {{ d.category|label:"category" }}  {{ case.state|label:"state" }}  {{ t.name|label:"transition" }}
    {{ r.unit|label:"unit" }}  {{ record.action|label:"audit" }}  {{ d.benefit_monthly|money }}

An unknown code passes through unchanged (a new code shows as itself rather than vanishing)."""

from __future__ import annotations

from html import escape as _escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from safetynet.core import glossary
from safetynet.core.money import grouped as _grouped
from safetynet.web import labels

register = template.Library()


@register.filter
def label(code, kind: str) -> str:
    if kind == "audit":
        return labels.action_label(code)
    if kind == "role":
        return labels.role_label(code)
    return glossary.label(kind, code)


@register.filter
def labels_of(codes, kind: str) -> str:
    """A list of codes as its labels joined by 、."""
    return "、".join(label(c, kind) for c in codes or [])


@register.filter
def grouped(value) -> str:
    """1234567.50 → 1,234,567.50 (Decimal-exact: no float, the digits as stored)."""
    text = _grouped(value)
    return str(value) if text is None else text


@register.filter
def money(value):
    """An amount that never wraps mid-number: <span class="amount text-nowrap">1,234.00</span> (Bootstrap's text-nowrap)."""
    text = _grouped(value)
    if text is None:
        return "" if value is None else value
    return format_html('<span class="amount text-nowrap">{}</span>', text)


STATISTICS_COLUMNS = (
    ("户数", "households"),
    ("人数", "people"),
    ("月应发金额", "amount_due"),
    ("已发放户数", "paid_households"),
    ("已发放金额", "amount_paid"),
)


@register.filter
def statistics_rows(figures) -> str:
    """The rows of one block of the monthly statistics (reports/statistics.html): a row per
    category and urban/rural, then the category subtotals; written here rather than by template
    loops, which cost most of the page on a county's eleven blocks."""
    rows = []
    for cells, subtotal in ((figures["cells"], False), (figures["subtotals"], True)):
        for c in cells:
            place = "小计" if subtotal else ("城市" if c["hukou"] == "urban" else "农村")
            numbers = "".join(
                f'<td data-label="{name}" class="text-end">{_escape(str(c[key]))}</td>'
                for name, key in STATISTICS_COLUMNS
            )
            row_class = ' class="table-light"' if subtotal else ""
            category = _escape(glossary.label("category", c["category"]))
            rows.append(
                f'<tr{row_class}><td data-label="类别">{category}</td><td data-label="城乡">{place}</td>{numbers}</tr>'
            )
    return mark_safe("\n".join(rows))
