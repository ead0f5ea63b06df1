"""Step 3 of 3: every organisation and team has its code; from now on it is required, unique,
and given to each new one."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseworks", "0013_manage_codes_filled"),
    ]

    operations = [
        *[
            migrations.AlterField(
                model_name=model,
                name="code",
                field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
            )
            for model in ("organisation", "team")
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="code",
                field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
            )
            for model in ("historicalorganisation", "historicalteam")
        ],
    ]
