"""A list's whole table as HTML (`web/table.html` is `{{ table|table_html }}`): the count above
it, the header with its sort links, the rows (`render.body_html`), the footer, the page links and
the page sizes.

django-tables2's templates write the same markup through the template engine — a node per
attribute, per header link, per page link, each link re-encoding the query string. Here each part
is written once with the same escaping: the query string is read once, each link changes one
parameter, and a page of a list costs its rows, not its frame.
"""

from __future__ import annotations

from django.utils.html import conditional_escape, escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from safetynet.web.lists import PAGE_SIZES
from safetynet.web.lists.render import body_html, shown


class _Links:
    """`?…` links that keep the page's query string and change one parameter (tables2's
    `querystring_replace`)."""

    def __init__(self, request):
        self.params = dict(request.GET) if request is not None else {}

    def __call__(self, key: str, value, *, drop: str = "") -> str:
        params = {k: v for k, v in self.params.items() if k != drop}
        return escape("?" + urlencode({**params, key: value}, doseq=True))


def _open(tag: str, attrs: str) -> str:
    return f"<{tag} {attrs}>" if attrs else f"<{tag}>"


def _part(table, tag: str) -> str:
    """The opening tag of the table's thead, tbody or tfoot with the table's attributes for it."""
    return _open(tag, AttributeDict(table.attrs.get(tag) or {}).as_html())


def _head(table, links: _Links) -> str:
    if not table.show_header:
        return ""
    cells = []
    for column in table.columns:
        header = shown(column.header)
        if column.orderable:
            header = (
                f'<a href="{links(table.prefixed_order_by_field, column.order_by_alias.next)}">{header}</a>'
            )
        th = column.attrs["th"].as_html()
        cells.append(f'<th {th + " " if th else ""}scope="col">{header}</th>')
    return f"{_part(table, 'thead')}\n<tr>{''.join(cells)}</tr>\n</thead>\n"


def _body(table) -> str:
    rows = body_html(table)
    if not rows and table.empty_text:
        rows = (
            f'<tr><td colspan="{len(table.columns)}" class="empty text-body-secondary">'
            f"{conditional_escape(table.empty_text)}</td></tr>"
        )
    return f"{_part(table, 'tbody')}\n{rows}</tbody>\n"


def _foot(table) -> str:
    if not table.has_footer():
        return ""
    cells = "".join(
        f"{_open('td', column.attrs['tf'].as_html())}{shown(column.footer)}</td>" for column in table.columns
    )
    return f"{_part(table, 'tfoot')}\n<tr>{cells}</tr>\n</tfoot>\n"


def _count(table) -> str:
    page = getattr(table, "page", None)
    unit = getattr(table, "count_unit", "") or "条"
    if not page:
        return f"共 {len(table.rows)} {conditional_escape(unit)}"
    text = f"共 {page.paginator.count} {conditional_escape(unit)}"
    if page.paginator.num_pages > 1:
        text += f"，第 {page.number}/{page.paginator.num_pages} 页"
    return text


def _pager(table, links: _Links) -> str:
    page = getattr(table, "page", None)
    if not page or page.paginator.num_pages <= 1:
        return ""
    field = table.prefixed_page_field
    items = []
    if page.has_previous():
        items.append(
            f'<li class="page-item"><a class="page-link" href="{links(field, page.previous_page_number())}">上一页</a></li>'
        )
    for p in table_page_range(page, page.paginator):
        if p == "...":
            items.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
        elif p == page.number:
            items.append(
                f'<li class="page-item active"><a class="page-link" href="{links(field, p)}" aria-current="page">{p}</a></li>'
            )
        else:
            items.append(f'<li class="page-item"><a class="page-link" href="{links(field, p)}">{p}</a></li>')
    if page.has_next():
        items.append(
            f'<li class="page-item"><a class="page-link" href="{links(field, page.next_page_number())}">下一页</a></li>'
        )
    return (
        '<nav class="pager" aria-label="分页">\n'
        '<ul class="pagination pagination-sm flex-wrap justify-content-center">\n'
        + "\n".join(items)
        + "\n</ul>\n</nav>\n"
    )


def _sizes(table, links: _Links) -> str:
    """Links to the other page sizes (back to the first page), when the rows outnumber the
    smallest; the current size marked."""
    page = getattr(table, "page", None)
    if not page or page.paginator.count <= PAGE_SIZES[0]:
        return ""
    field, page_field = table.prefixed_per_page_field, table.prefixed_page_field
    sizes = [
        f'<span aria-current="true">{n}</span>'
        if n == page.paginator.per_page
        else f'<a href="{links(field, n, drop=page_field)}">{n}</a>'
        for n in PAGE_SIZES
    ]
    return f'<p class="page-sizes small text-body-secondary">每页 {" · ".join(sizes)} 条</p>\n'


def table_html(table) -> str:
    """The table as `{% render_table %}` shows it with `web/table.html`."""
    links = _Links(getattr(table, "request", None))
    table_id = table.attrs.get("id")
    wrapper = f' id="{escape(table_id)}-list"' if table_id else ""
    attrs = AttributeDict({"class": "table", **table.attrs}).as_html()
    return mark_safe(
        f'<div class="table-container"{wrapper}>\n'
        f'<p class="text-body-secondary list-count">{_count(table)}</p>\n'
        '<div class="table-responsive">\n'
        f"<table {attrs}>\n{_head(table, links)}{_body(table)}{_foot(table)}</table>\n"
        "</div>\n"
        f"{_pager(table, links)}"
        f"{_sizes(table, links)}"
        "</div>\n"
    )
