"""A person's initials lose their own two indexes: the search reads the membership's (0013), and on
PostgreSQL `registry_person_initials_id` (0007) answers a prefix of the person's own; SQLite's LIKE,
case-blind, used neither. Two indexes fewer to write for each of a province's 1.85 million people."""

from django.db import migrations, models

from safetynet.core.migration_operations import drop_index, without_own_index


class Migration(migrations.Migration):
    dependencies = [("registry", "0013_membership_initials_index")]

    operations = [
        without_own_index(
            "person",
            "name_initials",
            models.CharField(max_length=32),
            drop_index(
                "registry_person_name_initials_8589bfe2", table="registry_person", column="name_initials"
            ),
            drop_index(
                "registry_person_name_initials_8589bfe2_like",
                table="registry_person",
                column="name_initials",
                pattern=True,
            ),
        )
    ]
