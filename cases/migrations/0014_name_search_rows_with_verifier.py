import django.db.models.deletion
from django.db import migrations, models


def reindex(apps, schema_editor):
    """Every person: names folded in the blind indexes, and the new search rows."""
    from cases.reindex import reindex_names

    reindex_names(apps.get_model("cases", "Client"), apps.get_model("cases", "NameToken"))


class Migration(migrations.Migration):
    """The name tokens become search rows: the case (so the index narrows to the cases in
    scope) and a per-person keyed verifier (candidates are checked without decrypting)."""

    dependencies = [
        ("cases", "0013_contacts_tasks_appointments_deadline_undo"),
    ]

    operations = [
        migrations.DeleteModel(name="NameToken"),
        migrations.CreateModel(
            name="NameToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.PositiveIntegerField()),
                ("verifier", models.BigIntegerField()),
                ("whole", models.BooleanField(default=False)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.client",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["token", "client", "case", "verifier", "whole"],
                        name="name_token_search",
                    )
                ],
            },
        ),
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True),
    ]
