"""A table's page of rows as HTML in one pass (`web/table.html` shows it through the
`table_html` filter, web/lists/frame.py).

django-tables2 renders each cell through `BoundRow.get_cell`: per cell it resolves the accessor
by trying a dictionary lookup first, looks for a `get_FOO_display`, inspects the render method's
signature, recomputes the column's attributes, and a `DateColumn` compiles a template. On a
50-row page of 9 columns that is most of the page's time. Here the same work is done once per
column for the page (a `_Plan`), and each cell is then an attribute chain, the render method
with the arguments it takes, the column's link, and the escaped value, localized as the template
would show it.

Choices show their `get_FOO_display`, a missing attribute on the way is None, a `TemplateColumn`
with a template file is rendered over the page's context flattened once (tables2 builds a
RequestContext per cell, running every context processor again). A column the plan cannot take
exactly — another column type, a callable value, a render method with other arguments, records
that are not model instances — goes through tables2's own `get_cell` for that cell, so the HTML is
the same either way (`tests/web/test_crawl.py` compares the two on every list page it opens).
"""

from __future__ import annotations

import datetime as dt
import html

from django.conf import settings
from django.db import models
from django.template import Context
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django_tables2 import CheckBoxColumn, Column, TemplateColumn
from django_tables2.columns.base import LinkTransform
from django_tables2.utils import Accessor, AttributeDict, signature

CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")
_FALLBACK = object()


class DateColumn(Column):
    """A date, or a moment in local time, in `format` (the `date` filter's), like tables2's
    DateColumn without compiling a template for every cell; exports give ISO dates."""

    def __init__(self, format: str = "Y-m-d", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.format = format

    def render(self, value):
        value = timezone.template_localtime(value)
        if self.format == "Y-m-d" and isinstance(value, dt.date):
            # what date_format gives for this format (a year of four digits, month and day of
            # two), without looking the format up
            day = value.date() if isinstance(value, dt.datetime) else value
            if day.year >= 1000:
                return day.isoformat()
        return date_format(value, self.format)

    def value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


FAST_COLUMNS = (Column, DateColumn, CheckBoxColumn)


def shown(value) -> str:
    """What `{{ cell }}` prints in a template: local time, localized, escaped. A whole number
    prints as it is when numbers are not grouped (Django's own fast case)."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return _html(localize(timezone.template_localtime(value)))


# An id no row has, reversed in its place once per page and then replaced by each row's id.
STAND_IN = 918_273_645_564_738_000


def id_url(viewname: str):
    """`reverse(viewname, args=[pk])` for the many ids of a page: reversed once with a stand-in
    id, which each whole-number id then takes the place of."""
    stand_in = str(STAND_IN)
    head, found, tail = reverse(viewname, args=[STAND_IN]).partition(stand_in)
    if not found or stand_in in tail:
        raise ValueError(f"{viewname} does not take one whole-number argument")
    return lambda pk: f"{head}{int(pk)}{tail}"


class _Link:
    """A column's `linkify=(viewname, [accessors])` for the page: the URL reversed once with
    stand-in numbers, then each cell's whole-number arguments put in their place; the anchor as
    tables2 writes it. None when the link is of another kind (tables2 then links each cell)."""

    @classmethod
    def of(cls, link) -> _Link | None:
        if type(link) is not LinkTransform or link.url is not None:
            return None
        r = link.reverse_args
        if set(r) != {"viewname", "args"} or not isinstance(r["viewname"], str):
            return None
        if not r["args"] or any(callable(v) for v in (link.attrs or {}).values()):
            return None
        stand_ins = [str(STAND_IN + i) for i in range(len(r["args"]))]
        try:
            url = reverse(r["viewname"], args=[int(x) for x in stand_ins])
        except NoReverseMatch:  # the view's arguments are not whole numbers
            return None
        attrs = AttributeDict({**(link.attrs or {}), "href": url}).as_html()
        if any(attrs.count(x) != 1 for x in stand_ins):
            return None
        return cls(attrs, stand_ins, r["args"])

    def __init__(self, attrs: str, stand_ins: list[str], args):
        self.attrs, self.stand_ins, self.args = attrs, stand_ins, args

    def __call__(self, content, record) -> str | None:
        attrs = self.attrs
        for stand_in, arg in zip(self.stand_ins, self.args, strict=True):
            value = arg.resolve(record) if isinstance(arg, Accessor) else arg
            if type(value) is not int:
                return None
            attrs = attrs.replace(stand_in, str(value))
        return mark_safe(f"<a {attrs}>{conditional_escape(content)}</a>")


def _choices_display(bound_column, record) -> str | None:
    """The `get_FOO_display` tables2 shows for a model field with choices, else None."""
    accessor = Accessor(bound_column.accessor)
    try:
        penultimate, remainder = accessor.penultimate(record)
        if not isinstance(penultimate, models.Model):
            return None
        field = accessor.get_field(record)
    except Exception:  # noqa: BLE001 — not a model field: tables2 does not look for choices either
        return None
    if (
        field is not None
        and getattr(field, "choices", ())
        and hasattr(penultimate, f"get_{remainder}_display")
    ):
        return f"get_{remainder}_display"
    return None


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
        self.template = None
        if type(column) is TemplateColumn and column.template_name and isinstance(column.extra_context, dict):
            # tables2 renders it with a new RequestContext per cell over the page's context
            # flattened: the same values, the context processors run once for the page instead
            self.template = get_template(column.template_name).template
            self.page_context = getattr(table, "context", Context()).flatten()
        self.fast = (type(column) in FAST_COLUMNS or self.template is not None) and isinstance(
            first_record, models.Model
        )
        if self.fast:
            args, catch_all = signature(bound_column.render)
            self.fast = self.template is not None or (
                catch_all is None and all(a in CELL_ARGUMENTS for a in args)
            )
            self.args = args
            self.render = bound_column.render
            checkbox = _Checkbox.of(column, self.name) if type(column) is CheckBoxColumn else None
            if checkbox is not None:
                self.args, self.render = ("value", "record"), checkbox
            self.bits = Accessor(bound_column.accessor).bits
            self.display = _choices_display(bound_column, first_record)
            if self.display:
                self.bits = self.bits[:-1]
            self.empty = column.empty_values
            self.default = bound_column.default
            self.link = bound_column.link
            self.fast_link = _Link.of(self.link) if self.link else None

    def value(self, record):
        """The cell's value as tables2 resolves it on a model instance: a missing attribute
        anywhere on the way is None; a callable is left to tables2."""
        value = record
        try:
            for bit in self.bits:
                value = getattr(value, bit)
            if self.display:
                return getattr(value, self.display)()
        except AttributeError:
            return None
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
                if self.template is not None:
                    content = self._template_cell(row, value)
                else:
                    content = self.render(**{a: kwargs[a] for a in self.args})
                if not self.link:
                    return content
                if self.fast_link is not None:
                    linked = self.fast_link(content, row.record)
                    if linked is not None:
                        return linked
                return self.link(content, **kwargs)
        return row.get_cell(self.name)

    def _template_cell(self, row, value) -> str:
        column = self.bound_column.column
        context = {
            **self.page_context,
            "default": self.bound_column.default,
            "column": self.bound_column,
            column.context_object_name: row.record,
            "value": value,
            "row_counter": row.row_counter,
            **column.extra_context,
        }
        return self.template.render(Context(context, autoescape=True))

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


def _prepared(attrs: dict, offered: tuple[str, ...]) -> list | None:
    """Attributes whose callables tables2 calls with the arguments among `offered` that each
    takes (`computed_values`): (key, value, arguments) with each callable's arguments found once;
    None when one takes others, a catch-all or is a nested dict (then tables2 computes them)."""
    items = []
    for key, value in attrs.items():
        args = ()
        if callable(value):
            found, catch_all = signature(value)
            if catch_all is not None or any(a not in offered for a in found):
                return None
            args = tuple(found)
        elif isinstance(value, dict):
            return None
        items.append((key, value, args))
    return items


def _computed(items: list, offered: dict) -> dict:
    return {k: v(**{a: offered[a] for a in args}) if callable(v) else v for k, v, args in items}


def _attrs_html(attrs: dict) -> str:
    """`AttributeDict.as_html` of attributes already computed: None and tables2's own keys
    (th, td…) left out, the rest escaped."""
    return " ".join(
        f'{_html(k)}="{_html(v)}"'
        for k, v in attrs.items()
        if v is not None and k not in AttributeDict.blacklist
    )


class _RowAttrs:
    """`BoundRow.attrs.as_html()` of every row: the table's `row_attrs` prepared once, the row's
    `odd`/`even` class after its own."""

    def __init__(self, table):
        self.table = table
        self.items = _prepared(table.row_attrs, ("table", "record"))

    def __call__(self, row) -> str:
        if self.items is None:
            return row.attrs.as_html()
        attrs = _computed(self.items, {"table": self.table, "record": row.record})
        parity = "odd" if row.row_counter % 2 else "even"
        attrs["class"] = f"{attrs['class']} {parity}" if attrs.get("class") else parity
        return _attrs_html(attrs)


class _Checkbox:
    """`CheckBoxColumn.render` with its input's attributes prepared once for the page (a column
    with `checked` set is left to tables2)."""

    @classmethod
    def of(cls, column, name: str) -> _Checkbox | None:
        if column.checked is not None:
            return None
        extra = column.attrs.get("td__input") or column.attrs.get("input") or {}
        items = _prepared(extra, ("record", "value"))
        return None if items is None else cls(name, items)

    def __init__(self, name: str, items: list):
        self.name, self.items = name, items

    def __call__(self, value, record) -> str:
        attrs = {"type": "checkbox", "name": self.name, "value": value}
        attrs.update(_computed(self.items, {"record": record, "value": value}))
        return mark_safe(f"<input {_attrs_html(attrs)} />")


def rows(table):
    """Each row of the table's page (or of all its rows, unpaginated) as its attributes and its
    cells, each cell as (its attributes, its column's name, its content)."""
    bound_rows = list(table.paginated_rows)
    if not bound_rows:
        return
    plans = [_Plan(table, bc, bound_rows[0].record) for bc in table.columns]
    row_attrs = _RowAttrs(table)
    for row in bound_rows:
        cells = []
        for plan in plans:
            value = plan.cell(row, table)
            cells.append((plan.td_html(row, value), plan.label, value))
        yield row_attrs(row), cells


def _html(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (the same text: Django's `escape` is
    `html.escape`), for the page's thousands of cells."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def body_html(table) -> str:
    """The `<tr>` of every row, as `web/table.html` shows them."""
    out = []
    labels: dict[str, str] = {}
    for attrs, cells in rows(table):
        tds = []
        for td, label, value in cells:
            if label not in labels:
                labels[label] = _html(label)
            tds.append(f'<td{td} data-label="{labels[label]}">{shown(value)}</td>')
        out.append(f"<tr {attrs}>\n  {''.join(tds)}\n</tr>\n")
    return mark_safe("".join(out))
