"""On PostgreSQL, the current members of an area through their own index: (village, person) of the
rows not left, the household beside them (models.Membership.village).

A search by pinyin initials in a township (registry.selectors.search_households) had PostgreSQL
probe the current memberships of every household of the area — some 5,700 households and 15,000
members, 20 ms — or follow each of the province's 1,400 people with those initials to their
household. With this index the area's members are one range of it per village, read from the
index alone and joined to the people with those initials (docs/scale.md). Built concurrently, so
the register stays writable while it builds; a county's register on SQLite is small.
"""

from django.db import migrations

from safetynet.core.migration_operations import RunSQLOnPostgreSQL

CREATE = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_membership_current_village"
    " ON registry_membership (village_id, person_id) INCLUDE (household_id) WHERE left_on IS NULL",
]
DROP = ["DROP INDEX CONCURRENTLY IF EXISTS registry_membership_current_village"]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("registry", "0011_membership_village_required")]

    operations = [RunSQLOnPostgreSQL(CREATE, DROP)]
