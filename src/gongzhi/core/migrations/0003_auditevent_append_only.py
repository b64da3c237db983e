from django.db import migrations

from gongzhi.core.migration_operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("core", "0002_workday_override")]
    operations = [AppendOnly("AuditEvent")]
