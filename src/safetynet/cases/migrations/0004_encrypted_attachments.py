"""Attachments are encrypted at rest; files stored before this migration are encrypted in place."""

import os

from django.conf import settings
from django.db import migrations, models

import safetynet.registry.fields


def encrypt_existing(apps, schema_editor):
    attachment = apps.get_model("cases", "Attachment")
    for name in attachment.objects.values_list("file", flat=True):
        path = os.path.join(settings.MEDIA_ROOT, name)
        if not name or not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        try:
            settings.KEYRING.decrypt_bytes(data)
            continue  # already a token under our keys
        except ValueError:
            pass
        with open(path + ".encrypting", "wb") as f:
            f.write(settings.KEYRING.encrypt_bytes(data))
        os.replace(path + ".encrypting", path)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_verified_inputs")]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                storage=safetynet.registry.fields.encrypted_storage, upload_to="cases/%Y/%m/"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
