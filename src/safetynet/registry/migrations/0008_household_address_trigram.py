"""On PostgreSQL, a trigram index on a household's address (pg_trgm, as the person's name in 0006),
so that a search text is looked up among addresses from the index (registry.selectors.
search_households) instead of by reading every household of the user's area: 4.6 → 0.2 ms for a
name in a township of the province (docs/scale.md). Built concurrently, so the register stays
writable while it builds; SQLite has no such index, and a county's register there is small."""

from django.db import migrations

from safetynet.core.migration_operations import RunSQLOnPostgreSQL

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_household_address_trgm"
    " ON registry_household USING gin (address gin_trgm_ops)",
]
DROP = ["DROP INDEX CONCURRENTLY IF EXISTS registry_household_address_trgm"]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("registry", "0007_initials_search_covering")]

    operations = [RunSQLOnPostgreSQL(CREATE, DROP)]
