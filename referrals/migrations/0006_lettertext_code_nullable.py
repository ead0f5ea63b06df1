"""Letter texts get a UUID `code` (the administrator's pages address them by it, not by the
sequential id), step 1 of 3: the column, empty, so existing rows can be filled one by one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_seed_print_texts")]

    operations = [
        migrations.AddField(
            model_name="lettertext",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicallettertext",
            name="code",
            field=models.UUIDField(db_index=True, editable=False, null=True),
        ),
    ]
