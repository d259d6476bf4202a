"""On PostgreSQL, the current members of a village by the initials of their names
(models.Membership.name_initials), in place of 0011's (village, person) index.

A township's search by pinyin initials read the township's 15,000 current members from 0011's
index and joined them to the province's 1,400 people with those initials, or followed each of
those people to their membership: 4.5–5.8 ms of PostgreSQL a search, the most of any page. Now it
is one range of this index per village, on the village and the initials' prefix. The person and
household come with each entry, so a search by a short name still reads the area's members from
this index alone, by village.

Built concurrently, so the register stays writable while it builds (docs/scale.md); a county's
register on SQLite is small.
"""

from django.db import migrations

from safetynet.core.migration_operations import RunSQLOnPostgreSQL

CREATE = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_membership_current_village_initials"
    " ON registry_membership (village_id, name_initials text_pattern_ops, person_id)"
    " INCLUDE (household_id) WHERE left_on IS NULL",
    "DROP INDEX CONCURRENTLY IF EXISTS registry_membership_current_village",
]
DROP = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_membership_current_village"
    " ON registry_membership (village_id, person_id) INCLUDE (household_id) WHERE left_on IS NULL",
    "DROP INDEX CONCURRENTLY IF EXISTS registry_membership_current_village_initials",
]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("registry", "0012_membership_name_initials")]

    operations = [RunSQLOnPostgreSQL(CREATE, DROP)]
