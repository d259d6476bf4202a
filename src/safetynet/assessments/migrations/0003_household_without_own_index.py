"""An assessment's household loses its own index: the (household, -id) index leads with it."""

import django.db.models.deletion
from django.db import migrations, models

from safetynet.core.migration_operations import drop_index, without_own_index


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_verified_inputs"), ("registry", "0013_membership_initials_index")]

    operations = [
        without_own_index(
            "assessment",
            "household",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="registry.household",
            ),
            drop_index(
                "assessments_assessment_household_id_01849bd9",
                table="assessments_assessment",
                column="household_id",
            ),
        )
    ]
