"""A version column on organisations, teams and services: the /manage/ forms detect a change
made by another administrator while one was editing (caseworks.concurrency)."""

from django.db import migrations, models


def version_field():
    return models.PositiveIntegerField(default=1, editable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("caseworks", "0010_coordinator_role"),
    ]

    operations = [
        migrations.AddField(model_name=model, name="version", field=version_field())
        for model in (
            "organisation",
            "historicalorganisation",
            "team",
            "historicalteam",
            "service",
            "historicalservice",
        )
    ]
