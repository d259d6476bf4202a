"""Pages of a sorted queryset that neither repeat nor skip a row: the web's lists
(`web.lists.tables.ListData`) and the API's `offset`/`limit` lists (`window`)."""

from __future__ import annotations

from django.db.models import QuerySet


def ended_by_key(qs: QuerySet) -> QuerySet:
    """`qs` with its sort ended by the primary key, unless the sort holds it already: rows the sort
    ties (a header's column: a category, a channel, a state) then keep one order from one page to
    the next, so a page neither repeats a row of another nor skips one. An unsorted queryset is
    sorted by the key."""
    query = qs.query
    if query.combinator or (query.distinct and qs._fields is not None):
        return qs  # a union, or distinct values: sorted by what they select
    order = list(query.order_by) or (list(qs.model._meta.ordering) if query.default_ordering else [])
    pk = qs.model._meta.pk
    if any(isinstance(o, str) and o.lstrip("-") in ("pk", pk.name, pk.attname) for o in order):
        return qs
    return qs.order_by(*order, "pk")


def window(qs: QuerySet, offset: int, limit: int) -> QuerySet:
    """The `limit` rows from `offset` of `qs`, sorted to the key (`ended_by_key`)."""
    return ended_by_key(qs)[offset : offset + limit]
