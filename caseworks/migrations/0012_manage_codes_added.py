"""/manage/ addresses accounts, organisations and teams by a UUID code, never the sequential
id (step 1 of 3: the columns, nullable; 0013 fills them, 0014 makes them unique). Accounts
get their code in a table of their own: auth.User is Django's model."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseworks", "0011_version_for_manage_forms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UserCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="manage_code",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "account code", "verbose_name_plural": "account codes"},
        ),
        *[
            migrations.AddField(
                model_name=model,
                name="code",
                field=models.UUIDField(null=True, editable=False),
            )
            for model in ("organisation", "historicalorganisation", "team", "historicalteam")
        ],
    ]
