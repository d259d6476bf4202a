"""A membership's village, filled in 0010, is required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_membership_village")]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.area",
                verbose_name="村（社区）",
            ),
        ),
    ]
