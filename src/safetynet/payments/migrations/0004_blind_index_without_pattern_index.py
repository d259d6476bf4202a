"""On PostgreSQL, no pattern index on a payee account's blind index of its account number
(`core.migration_operations.without_pattern_index`)."""

from django.db import migrations

from safetynet.core.migration_operations import without_pattern_index


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("payments", "0003_payroll_line_covered_indexes")]

    operations = [
        without_pattern_index(
            "payments_payeeaccount_account_index_9c82df5f_like", "payments_payeeaccount", "account_index"
        )
    ]
