"""`{% drill n url %}`: a dashboard number, linked to the list behind it when there is a link
(a tag, not an include: the page shows several hundred numbers); `stock_rows`: the stock table."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _drill(n, url) -> str:
    shown = escape(str(n))
    return f'<a href="{escape(url)}" class="drill">{shown}</a>' if url else shown


@register.simple_tag
def drill(n, url=""):
    return mark_safe(_drill(n, url))


@register.filter
def stock_rows(stock, categories) -> str:
    """The stock table's rows (a township each, then the total when there are several), written
    here rather than by template loops: a county's table holds a few hundred linked numbers."""
    rows = [(row, False) for row in stock["townships"]]
    if len(stock["townships"]) > 1:
        rows.append((stock["total"], True))
    out = []
    for row, total in rows:
        cells = [f'<td data-label="乡镇">{escape(row["name"])}</td>']
        for code, name in categories:
            cell = row["categories"].get(code) or {}
            url = cell.get("url", "")
            cells.append(
                f'<td data-label="{escape(name)}" class="text-end">'
                f"{_drill(cell.get('households', ''), url)} / {_drill(cell.get('people', ''), url)}</td>"
            )
        marked = row["marked"]
        cells.append(
            '<td data-label="防返贫监测对象" class="text-end">'
            f"{_drill(marked['households'], marked.get('url', ''))} / {_drill(marked['people'], marked.get('url', ''))}</td>"
        )
        cells.append(
            '<td data-label="合计" class="text-end">'
            f"{_drill(row['households'], row.get('url', ''))} / {_drill(row['people'], row.get('url', ''))}</td>"
        )
        cells.append(f'<td data-label="在册人口" class="text-end">{escape(str(row["residents"]))}</td>')
        coverage = "—" if row.get("coverage") is None else f"{escape(str(row['coverage']))}%"
        cells.append(f'<td data-label="覆盖率" class="text-end">{coverage}</td>')
        row_class = ' class="table-light"' if total else ""
        out.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    return mark_safe("".join(out))
