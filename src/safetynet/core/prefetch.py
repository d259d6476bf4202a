"""`prefetch_related_objects` for a page that reads many kinds of records of a few objects, most
of them still empty (a case's transitions, materials, reviews, decisions, notices, letters…).

One query asks which of the relations hold a row for the objects; only those are prefetched, and
each empty one is set on the objects exactly as a prefetch that found nothing sets it (an empty
evaluated queryset, or an empty list under a `to_attr`). Every empty relation spares a query: its
compiling, its round trip and its planning. What the page reads is the same.
"""

from __future__ import annotations

from functools import cache, lru_cache

from django.db import connections, router
from django.db.models import Model, Prefetch, prefetch_related_objects
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.reverse_related import ManyToOneRel


def prefetch_present(instances: list[Model], *lookups: str | Prefetch) -> None:
    """Prefetch `lookups` (reverse foreign keys of the instances' model, one level each; a
    `Prefetch` may carry its own queryset, nested prefetches and `to_attr`) on `instances`."""
    instances = [i for i in instances if i is not None]
    if not instances or not lookups:
        return
    model = type(instances[0])
    prefetches = [lookup if isinstance(lookup, Prefetch) else Prefetch(lookup) for lookup in lookups]
    names = tuple(p.prefetch_through for p in prefetches)
    present = _present(model, names, [i.pk for i in instances])
    wanted = []
    for prefetch, name in zip(prefetches, names, strict=True):
        if name in present:
            wanted.append(prefetch)
        else:
            _set_empty(instances, prefetch)
    if wanted:
        prefetch_related_objects(instances, *wanted)


def _present(model, names: tuple[str, ...], pks: list) -> set[str]:
    """The relations among `names` with at least one row for one of `pks`, in one query."""
    sql = _exists_sql(model, names, len(pks))
    db = router.db_for_read(model)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [pk for _ in names for pk in pks])
        row = cursor.fetchone()
    return {name for name, found in zip(names, row, strict=True) if found}


@lru_cache(maxsize=64)
def _exists_sql(model, names: tuple[str, ...], count: int) -> str:
    """`SELECT EXISTS(…), EXISTS(…)…`, one per relation, on the foreign key's column (which each
    relation's index covers). Written once per model, relations and number of objects."""
    quote = connections[router.db_for_read(model)].ops.quote_name
    marks = ", ".join(["%s"] * count)
    parts = []
    for name in names:
        if LOOKUP_SEP in name:
            raise ValueError(f"prefetch_present takes one level of relation, not {name!r}")
        rel = model._meta.get_field(name)
        if type(rel) is not ManyToOneRel:
            raise ValueError(f"{model.__name__}.{name} is not a reverse foreign key")
        table, column = rel.related_model._meta.db_table, rel.field.column
        parts.append(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(column)} IN ({marks}))")
    return "SELECT " + ", ".join(parts)


def _set_empty(instances: list[Model], prefetch: Prefetch) -> None:
    """What `prefetch_related_objects` leaves on each instance for a relation without rows."""
    to_attr = prefetch.to_attr
    for obj in instances:
        if to_attr:
            setattr(obj, to_attr, [])
            continue
        manager = getattr(obj, prefetch.prefetch_through)
        if prefetch.queryset is not None:
            qs = manager._apply_rel_filters(prefetch.queryset)
        else:
            qs = manager.get_queryset()
        qs._result_cache = []
        qs._prefetch_done = True
        if not hasattr(obj, "_prefetched_objects_cache"):
            obj._prefetched_objects_cache = {}
        obj._prefetched_objects_cache[_cache_name(type(obj), prefetch.prefetch_through)] = qs


@cache
def _cache_name(model, name: str) -> str:
    """The key a prefetch of the reverse relation `name` is stored under (the FK's `cache_name`)."""
    return model._meta.get_field(name).cache_name
