import django.db.models
from django.db import migrations

import gongzhi.core.photos


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_pickup_hours_business_date")]

    operations = [
        migrations.AddField(
            model_name="mallitem",
            name="photo",
            field=django.db.models.FileField(
                blank=True, upload_to=gongzhi.core.photos.photo_path, verbose_name="photo"
            ),
        ),
    ]
