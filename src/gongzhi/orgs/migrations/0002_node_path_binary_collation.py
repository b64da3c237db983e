"""Tree paths are machine identifiers: compare them byte by byte on PostgreSQL.

With the "C" collation one b-tree index on path serves both prefix matches (a subtree) and ordering
by path, so "everything under this node, in tree order" is a range scan (bench/run.py). SQLite compares
strings bytewise already.
"""

from django.db import migrations


def to_binary_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE orgs_node ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


def to_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE orgs_node ALTER COLUMN path TYPE varchar(255) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(to_binary_collation, to_default_collation, elidable=False)]
