"""Each row keeps how many member rows it has (Entitlement.people), so a roster sums people without
counting member rows: filled from the member rows."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Entitlement = apps.get_model("entitlements", "Entitlement")
    Member = apps.get_model("entitlements", "EntitlementMember")
    counted = (
        Member.objects.filter(entitlement=OuterRef("pk"))
        .order_by()
        .values("entitlement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Entitlement.objects.update(people=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [("entitlements", "0005_entitlement_village")]

    operations = [
        migrations.AddField(
            model_name="entitlement",
            name="people",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="人数"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
