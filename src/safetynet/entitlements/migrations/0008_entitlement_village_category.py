"""The index of an area's rows leads with the village, then the category, and holds what the
totals read, so a township's or county's totals per category are counted from the index alone on
PostgreSQL (a province's township: 5,425 buffers read for its 低保 totals, 77 after). The new index
is built before the old one goes, so the rows are never without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("entitlements", "0007_households_and_entitlements_without_own_index")]

    operations = [
        migrations.AddIndex(
            model_name="entitlement",
            index=models.Index(
                fields=["village", "category", "valid_from"],
                include=["valid_until", "people", "benefit_monthly", "household", "id"],
                name="entitlement_village_category",
            ),
        ),
        migrations.RemoveIndex(model_name="entitlement", name="entitlement_village"),
        migrations.RenameIndex(
            model_name="entitlement", new_name="entitlement_village", old_name="entitlement_village_category"
        ),
    ]
