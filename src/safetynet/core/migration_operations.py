"""Migration operations of the project's own (no models, no Django settings read at import)."""

from __future__ import annotations

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """`RunSQL` that runs on PostgreSQL only: indexes of a kind SQLite has not (trigram, covering),
    which only a province-sized database needs. Elsewhere it does nothing, forwards or back."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def without_pattern_index(index: str, table: str, column: str) -> RunSQLOnPostgreSQL:
    """Drop, on PostgreSQL, the second index Django builds beside every indexed text column
    (`…_like`, `varchar_pattern_ops`, for `LIKE 'prefix%'`), for a column that is only ever matched
    whole — a blind index, an HMAC in 64 hex digits — or not searched at all (`without_own_index`).
    Its ordinary index answers `=` and `IN`; the pattern index only doubled the work of every
    insert, at random places in a tree as large as the table's key column (219 MB for a province's
    1.85 million people). Concurrently, so the table stays writable; backwards builds it again.
    Django drops such an index with `IF EXISTS` when a later migration changes the field, so its
    absence breaks none."""
    return RunSQLOnPostgreSQL(
        f"DROP INDEX CONCURRENTLY IF EXISTS {index}",
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {table} ({column} varchar_pattern_ops)",
    )


def without_own_index(model_name: str, name: str, field, *drops: migrations.RunSQL):
    """`AlterField` to `field` (the same field with `db_index=False`) whose database work is only
    `drops` (`drop_index`, `without_pattern_index`): for a column another index leads with, so
    that a query by it, and PostgreSQL's check of a foreign key to it, use that one.

    Not `AlterField`'s own work: for a foreign key it drops the constraint and adds it again,
    checking every row of the table, and it takes for the column's own index every index that
    holds the column alone — a partial unique constraint's too (`one_open_entitlement`)."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=list(drops),
    )


def drop_index(index: str, *, table: str, column: str) -> migrations.RunSQL:
    """Drop the index Django named `index` on `column` (the same name on both databases);
    backwards, build it again. A text column's pattern index beside it: `without_pattern_index`."""
    return migrations.RunSQL(
        f"DROP INDEX IF EXISTS {index}", f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})"
    )
