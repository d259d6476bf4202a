"""Each row keeps its household's village (Entitlement.village), so the rows of an area are found
through their own index: filled from the households, then required."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Entitlement = apps.get_model("entitlements", "Entitlement")
    Household = apps.get_model("registry", "Household")
    Entitlement.objects.update(
        village_id=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("entitlements", "0004_tekun_support_mode"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="entitlement",
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
            model_name="entitlement",
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
            model_name="entitlement",
            index=models.Index(fields=["village", "valid_from"], name="entitlement_village"),
        ),
    ]
