"""Existing accompaniments in the new shape: a volunteer named as "accompanied by" becomes the
accompaniment's volunteer (the field is now the staff member going along), and a directory
destination takes the directory's kind (an advice service was stored as "authority").

Row by row through the historical models: no history rows are written (simple-history is
not connected to them), as for any schema change.
"""

from django.db import migrations

STAFF_ROLES = ("caseworker", "supervisor")


def forwards(apps, schema_editor):
    Accompaniment = apps.get_model("visits", "Accompaniment")
    Group = apps.get_model("auth", "Group")
    volunteers = Group.objects.filter(name="volunteer").values_list("user", flat=True)
    staff = Group.objects.filter(name__in=STAFF_ROLES).values_list("user", flat=True)
    moved = Accompaniment.objects.filter(
        accompanied_by__in=[pk for pk in volunteers if pk is not None]
    ).exclude(accompanied_by__in=[pk for pk in staff if pk is not None])
    for row in moved.iterator():
        row.volunteer_id, row.accompanied_by_id = row.accompanied_by_id, None
        row.save(update_fields=["volunteer", "accompanied_by"])
    for row in (
        Accompaniment.objects.filter(service__isnull=False)
        .select_related("service")
        .only("pk", "destination_kind", "service__kind")
        .iterator()
    ):
        if row.destination_kind != row.service.kind:
            row.destination_kind = row.service.kind
            row.save(update_fields=["destination_kind"])


def backwards(apps, schema_editor):
    Accompaniment = apps.get_model("visits", "Accompaniment")
    for row in Accompaniment.objects.filter(
        volunteer__isnull=False, accompanied_by__isnull=True
    ).iterator():
        row.accompanied_by_id = row.volunteer_id
        row.save(update_fields=["accompanied_by"])
    # The old choices had no advice service: it was stored as "authority".
    Accompaniment.objects.filter(destination_kind="counselling").update(
        destination_kind="authority"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0005_cancel_and_accompaniment_companions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
