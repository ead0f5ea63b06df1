"""Step 3 of 3: every row has its code; from now on it is required, unique, and new rows get
one of their own."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_fill_codes"),
    ]

    operations = [
        *(
            migrations.AlterField(
                model_name=model,
                name="code",
                field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
            )
            for model in ("caseshare", "coveraccess", "needcategory")
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="code",
                field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
            )
            for model in ("historicalcaseshare", "historicalneedcategory")
        ),
    ]
