"""Pages of a sorted queryset that neither repeat nor skip a row: the web's lists
(`web.lists.tables.ListData`) and the API's `offset`/`limit` lists (`window`)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet


def ended_by_key(qs: QuerySet) -> QuerySet:
    """`qs` with its sort ended by the primary key, unless the sort holds a key already: rows the sort
    ties (a header's column: a category, a channel, a state) then keep one order from one page to
    the next, so a page neither repeats a row of another nor skips one. An unsorted queryset is
    sorted by the key."""
    query = qs.query
    if query.combinator or (query.distinct and qs._fields is not None):
        return qs  # a union, or distinct values: sorted by what they select
    order = list(query.order_by) or (list(qs.model._meta.ordering) if query.default_ordering else [])
    if any(_is_key(qs.model, o) for o in order):
        return qs
    return qs.order_by(*order, "pk")


def _is_key(model, term) -> bool:
    """Whether a sort term is a column of `model` that no two rows share: the primary key, or a
    unique column without NULLs (an audit record's `seq`, whose index then still gives the sort)."""
    if not isinstance(term, str):
        return False
    name = term.lstrip("-")
    if name == "pk":
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return getattr(field, "unique", False) and not field.null


def window(qs: QuerySet, offset: int, limit: int) -> QuerySet:
    """The `limit` rows from `offset` of `qs`, sorted to the key (`ended_by_key`)."""
    return ended_by_key(qs)[offset : offset + limit]
