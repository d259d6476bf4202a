"""A table's page of rows as HTML in one pass (`web/table.html` shows it through the `table_body` filter).

django-tables2 renders each cell through `BoundRow.get_cell`: per cell it resolves the accessor
by trying a dictionary lookup first, looks for a `get_FOO_display`, inspects the render method's
signature, recomputes the column's attributes, and a `DateColumn` compiles a template. On a
50-row page of 9 columns that is most of the page's time. Here the same work is done once per
column for the page (a `_Plan`), and each cell is then an attribute chain, the render method
with the arguments it takes, the column's link, and the escaped value, localized as the template
would show it.

A column the plan cannot take exactly — a column type other than a plain `Column` or our
`DateColumn`, a field with choices (tables2 shows `get_FOO_display`), a value that is callable or
a missing attribute in the chain, cell attributes computed per record — goes through tables2's own
`get_cell` for that cell, so the HTML is the same either way (`tests/web/test_crawl.py`
compares the two on every list page it opens). `FAST = False` turns the plan off.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django_tables2 import Column
from django_tables2.utils import Accessor, signature

FAST = True
CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")
_FALLBACK = object()


class DateColumn(Column):
    """A date, or a moment in local time, in `format` (the `date` filter's), like tables2's
    DateColumn without compiling a template for every cell; exports give ISO dates."""

    def __init__(self, format: str = "Y-m-d", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.format = format

    def render(self, value):
        return date_format(timezone.template_localtime(value), self.format)

    def value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


FAST_COLUMNS = (Column, DateColumn)


def _shown(value) -> str:
    """What `{{ cell }}` prints in a template: local time, localized, escaped."""
    return conditional_escape(localize(timezone.template_localtime(value)))


def _has_choices(bound_column, record) -> bool:
    accessor = Accessor(bound_column.accessor)
    try:
        penultimate, remainder = accessor.penultimate(record)
        if not isinstance(penultimate, models.Model):
            return False
        field = accessor.get_field(record)
    except Exception:  # noqa: BLE001 — not a model field: tables2 does not look for choices either
        return False
    return bool(field is not None and getattr(field, "choices", ()))


class _Plan:
    """One column's part of every row of the page, worked out once."""

    def __init__(self, table, bound_column, first_record):
        self.bound_column = bound_column
        self.name = bound_column.name
        self.label = bound_column.verbose_name
        column = bound_column.column
        spec = {**table.attrs, **column.attrs}
        td = spec.get("td", spec.get("cell", {}))
        self.dynamic_td = any(callable(v) for v in td.values())
        self.td = "" if self.dynamic_td else _td_html(bound_column)
        self.fast = (
            FAST
            and type(column) in FAST_COLUMNS
            and isinstance(first_record, models.Model)
            and not _has_choices(bound_column, first_record)
        )
        if self.fast:
            args, catch_all = signature(bound_column.render)
            self.fast = catch_all is None and all(a in CELL_ARGUMENTS for a in args)
            self.args = args
            self.render = bound_column.render
            self.bits = Accessor(bound_column.accessor).bits
            self.empty = column.empty_values
            self.default = bound_column.default
            self.link = bound_column.link

    def value(self, record):
        value = record
        try:
            for bit in self.bits:
                value = getattr(value, bit)
        except AttributeError:
            return _FALLBACK
        return _FALLBACK if callable(value) else value

    def cell(self, row, table):
        if self.fast:
            value = self.value(row.record)
            if value is not _FALLBACK:
                if value in self.empty:
                    return self.default
                kwargs = {
                    "value": value,
                    "record": row.record,
                    "column": self.bound_column.column,
                    "bound_column": self.bound_column,
                    "bound_row": row,
                    "table": table,
                }
                content = self.render(**{a: kwargs[a] for a in self.args})
                return self.link(content, **kwargs) if self.link else content
        return row.get_cell(self.name)

    def td_html(self, row, value) -> str:
        if not self.dynamic_td:
            return self.td
        self.bound_column.current_record, self.bound_column.current_value = row.record, value
        try:
            return _td_html(self.bound_column)
        finally:
            self.bound_column.current_record = self.bound_column.current_value = None


def _td_html(bound_column) -> str:
    html = bound_column.attrs["td"].as_html()
    return f" {html}" if html else ""


def rows(table):
    """Each row of the table's page (or of all its rows, unpaginated) as its attributes and its
    cells, each cell as (its attributes, its column's name, its content)."""
    bound_rows = list(table.paginated_rows)
    if not bound_rows:
        return
    plans = [_Plan(table, bc, bound_rows[0].record) for bc in table.columns]
    for row in bound_rows:
        cells = []
        for plan in plans:
            value = plan.cell(row, table)
            cells.append((plan.td_html(row, value), plan.label, value))
        yield row.attrs.as_html(), cells


def body_html(table) -> str:
    """The `<tr>` of every row, as `web/table.html` shows them."""
    out = []
    for attrs, cells in rows(table):
        tds = "".join(
            format_html('<td{} data-label="{}">{}</td>', mark_safe(td), label, _shown(value))
            for td, label, value in cells
        )
        out.append(format_html("<tr {}>\n  {}\n</tr>\n", attrs, mark_safe(tds)))
    return mark_safe("".join(out))
