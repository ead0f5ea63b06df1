"""A share, a cover access and a needs category are addressed by a UUID code in URLs, not by
their sequential id. Step 1 of 3: the column, nullable (a default would give every existing
row the same value)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_import_transfer_residue"),
    ]

    operations = [
        migrations.AddField(
            model_name=model,
            name="code",
            field=models.UUIDField(null=True, editable=False),
        )
        for model in (
            "caseshare",
            "historicalcaseshare",
            "coveraccess",
            "needcategory",
            "historicalneedcategory",
        )
    ]
