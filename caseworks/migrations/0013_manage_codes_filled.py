"""Step 2 of 3: a code for every organisation and team (their history rows get the same code),
and an account code for every user."""

import uuid

from django.conf import settings
from django.db import migrations


def fill(apps, schema_editor):
    for name in ("Organisation", "Team"):
        model = apps.get_model("caseworks", name)
        history = apps.get_model("caseworks", f"Historical{name}")
        for pk in model.objects.filter(code__isnull=True).values_list("pk", flat=True):
            code = uuid.uuid4()
            # QuerySet.update: a migration fills a new column, it changes nothing a user did.
            model.objects.filter(pk=pk).update(code=code)
            history.objects.filter(id=pk).update(code=code)
    user_code = apps.get_model("caseworks", "UserCode")
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    known = set(user_code.objects.values_list("user_id", flat=True))
    user_code.objects.bulk_create(
        [
            user_code(user_id=pk, code=uuid.uuid4())
            for pk in user_model.objects.values_list("pk", flat=True)
            if pk not in known
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("caseworks", "0012_manage_codes_added"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
