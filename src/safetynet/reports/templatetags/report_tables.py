"""`{% load report_tables %}`: the monthly statistics' table rows (`{{ f|statistics_rows }}`)."""

from __future__ import annotations

from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe

from safetynet.core import glossary

register = template.Library()


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
