"""Each membership keeps its household's village (Membership.village), so the current members of
an area are found through their own index (0011): filled from the households, then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Membership = apps.get_model("registry", "Membership")
    Household = apps.get_model("registry", "Household")
    Membership.objects.update(
        village_id=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id")[:1])
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
        migrations.RunPython(fill, migrations.RunPython.noop),
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
