"""On PostgreSQL, a trigram index on a person's name (pg_trgm), so that a name search ("contains")
is answered from the index instead of reading every person of the area (docs/scale.md). SQLite
has no such index; a county's register there is small enough to read."""

from django.db import migrations

from safetynet.core.migration_operations import RunSQLOnPostgreSQL

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_person_name_trgm ON registry_person USING gin (name gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS registry_person_name_trgm"]


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_release_and_study_end")]

    operations = [RunSQLOnPostgreSQL(CREATE, DROP)]
