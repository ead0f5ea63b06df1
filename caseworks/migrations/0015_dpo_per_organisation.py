"""The data protection officer is per carrier (Organisation.data_protection_officers), no longer
the house-wide permission caseworks.data_protection.

An installed house: whoever holds the old permission (directly or through a group) was DPO of
every carrier. With exactly one organisation that is unambiguous, and they become its DPO; the
permission is then deleted. With several, the migration does not guess which carrier they
serve: it moves nobody (they lose the DPO's pages: fail closed) and keeps the permission, and
the system check caseworks.W020 names them until each is made DPO of their carrier in /manage/
and the permission is taken away. A house with no holder just loses the permission."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

OLD_CODENAME = "data_protection"


def move_permission_holders(apps, schema_editor):
    permission_model = apps.get_model("auth", "Permission")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    organisation_model = apps.get_model("caseworks", "Organisation")
    permission = permission_model.objects.filter(
        codename=OLD_CODENAME, content_type__app_label="caseworks"
    ).first()
    if permission is None:
        return
    holders = user_model.objects.filter(
        models.Q(user_permissions=permission) | models.Q(groups__permissions=permission)
    ).distinct()
    organisations = list(organisation_model.objects.all()[:2])
    if holders.exists() and len(organisations) != 1:
        return  # several carriers: not guessed; caseworks.W020 names the holders
    if holders.exists():
        organisations[0].data_protection_officers.add(*holders)
    permission.delete()


def restore_permission_holders(apps, schema_editor):
    """Backwards: every DPO of any carrier holds the house-wide permission again."""
    permission_model = apps.get_model("auth", "Permission")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    organisation_model = apps.get_model("caseworks", "Organisation")
    content_type, _ = content_type_model.objects.get_or_create(
        app_label="caseworks", model="accesslog"
    )
    permission, _ = permission_model.objects.get_or_create(
        codename=OLD_CODENAME,
        content_type=content_type,
        defaults={"name": "Data protection: read the access log and produce disclosures"},
    )
    for organisation in organisation_model.objects.all():
        for user in organisation.data_protection_officers.all():
            user.user_permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("caseworks", "0014_manage_codes_unique"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="accesslog",
            options={
                "ordering": ["-at"],
                "verbose_name": "access log entry",
                "verbose_name_plural": "access log",
            },
        ),
        migrations.AddField(
            model_name="organisation",
            name="data_protection_officers",
            field=models.ManyToManyField(
                blank=True,
                related_name="dpo_of",
                to=settings.AUTH_USER_MODEL,
                verbose_name="data protection officers",
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="caseworks.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AddField(
            model_name="retentionrun",
            name="organisation_counts",
            field=models.JSONField(default=dict, verbose_name="counts per organisation"),
        ),
        migrations.CreateModel(
            name="HistoricalOrganisation_data_protection_officers",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="caseworks.historicalorganisation",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="caseworks.organisation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalOrganisation_data_protection_officers",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(move_permission_holders, restore_permission_holders),
    ]
