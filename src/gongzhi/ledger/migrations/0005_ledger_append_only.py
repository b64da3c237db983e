from django.db import migrations

from gongzhi.core.migration_operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_mall_order_place_function")]
    operations = [AppendOnly("PointsTransaction"), AppendOnly("PointsEntry"), AppendOnly("MallOrderEvent")]
