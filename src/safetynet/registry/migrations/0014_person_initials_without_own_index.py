"""A person's initials lose their indexes: the search by initials reads the membership's own
(Membership.name_initials, 0013) and nothing reads a person by them — on PostgreSQL the plain and
pattern indexes of 0001 and the covering one of 0007 (no scan of it in a whole load test), on
SQLite the plain one (its LIKE, case-blind, used none). Three indexes fewer to write for each of
a province's 1.85 million people. The PostgreSQL-only ones concurrently, as 0007 and 0009."""

from django.db import migrations, models

from safetynet.core.migration_operations import (
    RunSQLOnPostgreSQL,
    drop_index,
    without_own_index,
    without_pattern_index,
)


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("registry", "0013_membership_initials_index")]

    operations = [
        without_own_index(
            "person",
            "name_initials",
            models.CharField(max_length=32),
            drop_index(
                "registry_person_name_initials_8589bfe2", table="registry_person", column="name_initials"
            ),
            without_pattern_index(
                "registry_person_name_initials_8589bfe2_like", "registry_person", "name_initials"
            ),
        ),
        RunSQLOnPostgreSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS registry_person_initials_id",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_person_initials_id"
            " ON registry_person (name_initials varchar_pattern_ops) INCLUDE (id)",
        ),
    ]
