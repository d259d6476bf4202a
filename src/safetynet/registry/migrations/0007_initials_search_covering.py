"""On PostgreSQL, covering indexes for a search by pinyin initials (registry.selectors.search_households).

Initials are few letters: in a province a prefix such as "wjl" matches some 1,400 people, each
then followed to their current membership and household to find the few in the user's area. With
these indexes every step of that walk is read from an index alone (the person's id beside the
initials, the household beside a current membership, the village beside a household) instead of
from the tables' rows: half the pages read and half the time (docs/scale.md). Built concurrently,
so the register stays writable while they build; SQLite has no INCLUDE and a county's register
there is small.
"""

from django.db import migrations

from safetynet.core.migration_operations import RunSQLOnPostgreSQL

CREATE = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_person_initials_id"
    " ON registry_person (name_initials varchar_pattern_ops) INCLUDE (id)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_membership_current_person"
    " ON registry_membership (person_id) INCLUDE (household_id) WHERE left_on IS NULL",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_household_id_village"
    " ON registry_household (id) INCLUDE (village_id)",
]
DROP = [
    "DROP INDEX CONCURRENTLY IF EXISTS registry_person_initials_id",
    "DROP INDEX CONCURRENTLY IF EXISTS registry_membership_current_person",
    "DROP INDEX CONCURRENTLY IF EXISTS registry_household_id_village",
]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("registry", "0006_person_name_trigram")]

    operations = [RunSQLOnPostgreSQL(CREATE, DROP)]
