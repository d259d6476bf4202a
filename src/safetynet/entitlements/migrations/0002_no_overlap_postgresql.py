"""On PostgreSQL, no two rows of one household overlap, whatever writes them: an exclusion
constraint over the half-open date ranges [valid_from, valid_until). SQLite has no such constraint;
there the service's checks and the one-open-row constraint hold it (tests prove both)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE entitlements_entitlement ADD CONSTRAINT entitlement_no_overlap
  EXCLUDE USING gist (household_id WITH =, daterange(valid_from, valid_until, '[)') WITH &&);
"""
DROP = "ALTER TABLE entitlements_entitlement DROP CONSTRAINT IF EXISTS entitlement_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("entitlements", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
