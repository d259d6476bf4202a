"""On PostgreSQL, no pattern index on a lead's blind index of its subject's ID number
(`core.migration_operations.without_pattern_index`)."""

from django.db import migrations

from safetynet.core.migration_operations import without_pattern_index


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("cases", "0013_case_village")]

    operations = [
        without_pattern_index("cases_lead_subject_id_index_f22483cf_like", "cases_lead", "subject_id_index")
    ]
