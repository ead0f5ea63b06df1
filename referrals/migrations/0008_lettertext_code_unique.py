"""Letter texts' codes, step 3 of 3: every row has one, so the column becomes unique and
required, with a uuid4 for each new text."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_lettertext_code_fill")]

    operations = [
        migrations.AlterField(
            model_name="lettertext",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="historicallettertext",
            name="code",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
    ]
