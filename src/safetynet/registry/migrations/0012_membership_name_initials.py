"""Each membership keeps its person's pinyin initials (Membership.name_initials), so a search by
initials in an area reads the area's current members from one index (0013): filled from the people."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Membership = apps.get_model("registry", "Membership")
    Person = apps.get_model("registry", "Person")
    Membership.objects.update(
        name_initials=Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("name_initials")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0011_membership_village_index")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="name_initials",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="姓名拼音首字母"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
