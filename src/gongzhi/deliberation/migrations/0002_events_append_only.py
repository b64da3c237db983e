from django.db import migrations

from gongzhi.core.migration_operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]
    operations = [AppendOnly("TopicEvent"), AppendOnly("CaseEvent")]
