"""Each case keeps its household's village (Case.village), so the cases of an area are found through
their own index: filled from the households, then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Household = apps.get_model("registry", "Household")
    Case.objects.update(
        village_id=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_lead_assignment"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
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
            model_name="case",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.area",
                verbose_name="村（社区）",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["village", "state"], name="case_village_state"),
        ),
    ]
