"""On PostgreSQL, no pattern index on the people's blind index (`core.migration_operations.without_pattern_index`)."""

from django.db import migrations

from safetynet.core.migration_operations import without_pattern_index


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("registry", "0008_household_address_trigram")]

    operations = [
        without_pattern_index("registry_person_id_index_bde46490_like", "registry_person", "id_index")
    ]
