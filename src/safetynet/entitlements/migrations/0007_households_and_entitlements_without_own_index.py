"""An entitlement's household and a member row's entitlement lose their own indexes: the unique
(household, valid_from) and (entitlement, person) indexes lead with them."""

import django.db.models.deletion
from django.db import migrations, models

from safetynet.core.migration_operations import drop_index, without_own_index


class Migration(migrations.Migration):
    dependencies = [
        ("entitlements", "0006_entitlement_people"),
        ("registry", "0013_membership_initials_index"),
    ]

    operations = [
        without_own_index(
            "entitlement",
            "household",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entitlements",
                to="registry.household",
            ),
            drop_index(
                "entitlements_entitlement_household_id_f2698d4e",
                table="entitlements_entitlement",
                column="household_id",
            ),
        ),
        without_own_index(
            "entitlementmember",
            "entitlement",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="entitlements.entitlement",
            ),
            drop_index(
                "entitlements_entitlementmember_entitlement_id_60b7146f",
                table="entitlements_entitlementmember",
                column="entitlement_id",
            ),
        ),
    ]
