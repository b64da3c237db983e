import django.db.models
from django.db import migrations

import gongzhi.core.photos


class Migration(migrations.Migration):
    dependencies = [("alliances", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="project",
            name="photo",
            field=django.db.models.FileField(
                blank=True, upload_to=gongzhi.core.photos.photo_path, verbose_name="photo"
            ),
        ),
    ]
