from django.db import migrations

from gongzhi.core.migration_operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("appeals", "0004_triage_fields")]
    operations = [AppendOnly("AppealEvent")]
