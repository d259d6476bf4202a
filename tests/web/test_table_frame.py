"""The frame every list's table is written in (web/lists/frame.py): the count, sort links that keep
the query string, the empty text, the footer, and page links with the current page marked and the
far pages folded — escaped like the template it replaces."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import django_tables2 as tables
from django.test import RequestFactory

from safetynet.web import lists
from safetynet.web.lists.frame import table_html
from safetynet.web.lists.tables import ListTable


class Numbers(tables.Table):
    n = tables.Column("序号", footer="合计")
    label = tables.Column("名称<b>", orderable=False)

    class Meta:
        attrs = {"id": "numbers", "class": "table table-sm"}
        empty_text = "没有<记录>。"
        template_name = "web/table.html"


def _paged(query: str, count: int, per_page: int = 5) -> Numbers:
    """The table of `count` numbered rows, configured from the query string."""
    table = Numbers([{"n": i, "label": f"第{i}项&"} for i in range(count)])
    lists.configure(RequestFactory().get(f"/x/?{query}"), table, per_page=per_page)
    return table


def _table(query: str, count: int, per_page: int = 5) -> str:
    return table_html(_paged(query, count, per_page))


def _links(html: str, pattern: str) -> list[dict]:
    return [parse_qs(h.replace("&amp;", "&").lstrip("?")) for h in re.findall(pattern, html)]


def test_the_count_the_header_sort_link_and_the_rows_of_a_page():
    html = _table("q=张%26三&page=3&sort=n", count=63)
    assert '<div class="table-container" id="numbers-list">' in html
    assert "共 63 条，第 3/13 页" in html
    assert '<table class="table table-sm" id="numbers">' in html
    # The sortable header links to the other direction and keeps the query (escaped); the other
    # header is plain text, escaped.
    (sort,) = _links(html, r'<th[^>]*><a href="([^"]+)">序号</a></th>')
    assert sort == {"q": ["张&三"], "page": ["3"], "sort": ["-n"]}
    assert '<th scope="col">名称&lt;b&gt;</th>' in html
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
    assert body.count("<tr") == 5 and "第10项&amp;" in body and "第15项" not in body


def test_page_links_mark_the_current_page_fold_the_far_ones_and_keep_the_query():
    html = _table("q=a&page=7", count=100)
    pages = re.findall(
        r'<li class="page-item( active| disabled)?"><(?:a|span) class="page-link"[^>]*>([^<]+)<', html
    )
    labels = [p for _, p in pages]
    assert labels[0] == "上一页" and labels[-1] == "下一页"
    assert "1" in labels and "20" in labels and labels.count("…") == 2
    assert [p for cls, p in pages if cls == " active"] == ["7"]
    assert 'aria-current="page">7</a>' in html
    previous = _links(html, r'<a class="page-link" href="([^"]+)">上一页</a>')
    assert previous == [{"q": ["a"], "page": ["6"]}]


def test_a_single_page_has_no_page_links_and_an_empty_table_shows_its_text_escaped():
    html = _table("", count=3)
    assert "共 3 条" in html and "第 1/1 页" not in html and "pagination" not in html
    empty = _table("", count=0)
    assert '<td colspan="2" class="empty text-body-secondary">没有&lt;记录&gt;。</td>' in empty
    assert "共 0 条" in empty


def test_the_footer_is_written_when_a_column_has_one():
    html = _table("", count=2)
    foot = re.search(r"<tfoot[^>]*>(.*?)</tfoot>", html, re.S)
    assert foot and foot.group(1).strip() == "<tr><td>合计</td><td></td></tr>"


# ---- a page read before its count (lists.PageFirstPaginator) -------------------------------------


def test_a_page_that_is_not_full_tells_the_count():  # without a query: tests/web/test_lists.py
    for query, n, shown, pages in (("", 3, 3, 1), ("", 0, 0, 1), ("page=3", 13, 3, 3)):
        table = _paged(query, n)
        assert table.paginator.count == n and table.paginator.num_pages == pages
        assert len(list(table.paginated_rows)) == shown


def test_a_full_page_or_one_past_the_end_is_counted_as_before():
    table = _paged("page=2", 15)
    assert table.paginator.count == 15 and table.page.number == 2
    assert [r.record["n"] for r in table.paginated_rows] == [5, 6, 7, 8, 9]
    past = _paged("page=9", 12)  # past the end: the last page, as Django's paginator gives
    assert past.page.number == 3 and [r.record["n"] for r in past.paginated_rows] == [10, 11]
    assert "第 3/3 页" in table_html(past)
    for bad in ("page=x", "page=0", "page=-2"):
        assert _paged(bad, 7).page.number in (1, 2), bad  # not a whole number from 1: as before


def test_the_page_size_is_one_the_user_may_pick_or_the_views():
    assert _paged("per_page=50", 70, per_page=20).paginator.per_page == 50
    assert _paged("per_page=100", 70, per_page=20).paginator.per_page == 100
    for refused in ("per_page=7", "per_page=100000", "per_page=x", ""):
        assert _paged(refused, 70, per_page=20).paginator.per_page == 20, refused
    html = table_html(_paged("q=a&page=3&per_page=20", 70, per_page=20))
    sizes = re.search(r'<p class="page-sizes[^"]*">(.*?)</p>', html).group(1)
    assert _links(sizes, r'href="([^"]+)"') == [
        {"q": ["a"], "per_page": ["50"]},
        {"q": ["a"], "per_page": ["100"]},
    ]
    assert '<span aria-current="true">20</span>' in sizes
    assert "page-sizes" not in table_html(_paged("", 20, per_page=20))  # one smallest page: no choice


class Listed(ListTable):
    n = tables.Column("序号")
    label = tables.Column()  # its accessor is set by tables2 on the table's copy


class MoreListed(Listed):
    extra = tables.Column("附加")


def test_each_table_changes_its_own_columns_never_its_class_s_or_another_table_s():
    first, second = Listed([{"n": 1, "label": "a"}]), Listed([{"n": 2, "label": "b"}])
    first.columns.hide("n")
    assert not first.columns["n"].visible
    assert second.columns["n"].visible and Listed([]).columns["n"].visible
    assert Listed.base_columns["n"].visible
    assert first.columns["n"].column is not second.columns["n"].column
    assert first.columns["label"].column.accessor == "label" and Listed.base_columns["label"].accessor is None
    assert [c.name for c in MoreListed([]).columns] == ["n", "label", "extra"]
    assert [row.get_cell("label") for row in second.rows] == ["b"]
