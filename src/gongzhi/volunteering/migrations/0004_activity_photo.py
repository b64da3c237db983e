import django.db.models
from django.db import migrations

import gongzhi.core.photos


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0003_activity_directions_bring")]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="photo",
            field=django.db.models.FileField(
                blank=True, upload_to=gongzhi.core.photos.photo_path, verbose_name="photo"
            ),
        ),
    ]
