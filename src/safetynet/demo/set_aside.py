"""The secondary indexes of the tables a province fills, set aside while it loads and built after
(PostgreSQL's advice for populating a database: "Remove Indexes"). Each row written would
otherwise be inserted into every index of its table at a random place; building an index once over
the loaded table sorts it in one pass.

Only indexes that nothing else stands on are set aside: not a primary key, a unique index or an
index behind a constraint (an exclusion constraint's), which check the rows as they arrive. The
loader writes into an empty database (`province.load_province`); the indexes are built again
whether the load ends or fails. On SQLite nothing is set aside: a county loads in seconds.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

_SECONDARY = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""
# Memory for each index's sort when it is built again (the session's only; 64 MB by default).
BUILD_MEMORY = "512MB"


def secondary_indexes(models) -> list[tuple[str, str]]:
    """(name, definition) of the secondary indexes of `models`' tables, by name."""
    with connection.cursor() as cur:
        cur.execute(_SECONDARY, [[m._meta.db_table for m in models]])
        return cur.fetchall()


@contextmanager
def indexes_built_after(models):
    """Drop the secondary indexes of `models`' tables, run the block, build them again."""
    if connection.vendor != "postgresql":
        yield []
        return
    indexes = secondary_indexes(models)
    with connection.cursor() as cur:
        for name, _ in indexes:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield indexes
    finally:
        # Rows written in this transaction (one worker: the caller's, a test's) have their foreign
        # keys checked now, as they would be at its end: PostgreSQL builds no index on a table
        # with checks pending.
        connection.check_constraints()
        with connection.cursor() as cur:
            cur.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
            for _, definition in indexes:
                cur.execute(definition)
            cur.execute("RESET maintenance_work_mem")
