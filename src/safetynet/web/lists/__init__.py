"""Every list page of the web UI through two well-kept packages: a django-filter `FilterSet`
(`filters.py`: search box and filters, over a queryset from the scoped selectors) and a
django-tables2 `Table` (`tables.py`, `cases_tables.py`: columns, header sorting, 20 rows a page
or 50 or 100 as the user picks),
rendered by `web/table.html` (Bootstrap 5, stacked cards on phones with each cell's `data-label`,
the count "共 N 条", Chinese page links; no inline style or script).

`show` puts the two together for a view: bind the filters to the query string, configure the
table from it, and say which fields were refused (the page answers 400 with the message beside
the field). The base queryset always comes from the app's scoped selectors, so a filter can only
narrow what the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

# Rows a page: 20 unless the view says otherwise, or 50 or 100 when the user picks them
# (`?per_page=`, the links beside the page links). Any other number is not taken: a page's work
# stays bounded whatever the query string.
PER_PAGE = 20
PAGE_SIZES = (20, 50, 100)


class PageFirstPaginator(Paginator):
    """Reads the asked page's rows before it counts them all: a page that is not full tells the
    count (the rows before it and its own), so the count query runs only for a full page, or for
    an empty one past the first (then as Django's paginator: `EmptyPage`). A search that finds a
    few households, or a list's last page, costs one query fewer; the page and the count are read
    in two statements either way."""

    def page(self, number):
        if "count" in self.__dict__ or self.orphans:
            return super().page(number)
        number = self._whole(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        shown = len(getattr(rows, "data", rows))  # tables2's rows: their records, read once here
        if 0 < shown < self.per_page or (shown == 0 and number == 1 and self.allow_empty_first_page):
            self.__dict__["count"] = bottom + shown  # Paginator.count is a cached_property
        else:
            self.validate_number(number)  # counts
        return self._get_page(rows, number, self)

    def _whole(self, number) -> int:
        """`validate_number` up to the count: a whole number from 1."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class CountedPaginator(Paginator):
    """A paginator told the number of rows (a page whose totals query counted them already), so
    it does not count them again."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def page_size(request, table, default: int) -> int:
    """The rows a page the user picked among `PAGE_SIZES`, else `default`."""
    raw = request.GET.get(table.prefixed_per_page_field, "")
    return int(raw) if raw.isdigit() and int(raw) in PAGE_SIZES else default


def configure(request, table, *, per_page: int = PER_PAGE, count: int | None = None):
    """Sorting, the page and its size (`page_size`) from the query string. `count`, when the
    caller knows it, saves the count query."""
    table.request = request
    order = request.GET.getlist(table.prefixed_order_by_field)
    if order:
        table.order_by = order  # tables2 keeps only orderable columns
    paging = {"per_page": page_size(request, table, per_page), "paginator_class": PageFirstPaginator}
    if count is not None:
        paging.update(paginator_class=CountedPaginator, count=count)
    try:
        table.paginate(page=request.GET.get(table.prefixed_page_field, 1), **paging)
    except PageNotAnInteger:
        table.paginate(page=1, **paging)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return table


def form_errors(form) -> dict:
    """A bound form's errors as the templates show them: field → first message, `form` for the
    whole form."""
    if not form.is_bound or form.is_valid():
        return {}
    errors = {name: list(msgs)[0] for name, msgs in form.errors.items() if name != "__all__"}
    if form.non_field_errors():
        errors["form"] = form.non_field_errors()[0]
    return errors


@dataclass
class Listing:
    filterset: object
    table: object
    errors: dict

    @property
    def status(self) -> int:
        return 400 if self.errors else 200

    def context(self) -> dict:
        return {"filter": self.filterset, "table": self.table, "filter_errors": self.errors}


def show(request, filterset_class, queryset, table_class, *, defaults=None, per_page=PER_PAGE, **table_kw):
    """Filter `queryset` by the query string (with `defaults` for parameters absent from it),
    then table and page it."""
    data = request.GET.copy()
    for key, value in (defaults or {}).items():
        data.setdefault(key, value)
    filterset = filterset_class(data, queryset=queryset, request=request)
    errors = form_errors(filterset.form)
    qs = filterset.qs if not errors else queryset.none()
    table = configure(request, table_class(qs, **table_kw), per_page=per_page)
    return Listing(filterset, table, errors)
