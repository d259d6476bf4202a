"""A membership keeps its household's village (models.Membership.village): added empty and filled
from the households in one statement; required in 0011 (PostgreSQL will not alter a table in the
transaction that updated its rows under a deferred foreign key)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE registry_membership SET village_id = ("
    "SELECT village_id FROM registry_household WHERE registry_household.id = registry_membership.household_id)"
)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_blind_index_without_pattern_index")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.area",
                verbose_name="村（社区）",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
