"""The sixth role: the volunteer coordinator (Ehrenamtskoordination), no case files."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="coordinator")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="coordinator").delete()


class Migration(migrations.Migration):
    dependencies = [("caseworks", "0009_form_submissions")]

    operations = [migrations.RunPython(create_role, remove_role)]
