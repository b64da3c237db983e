"""No two holding bookings of one area overlap: on PostgreSQL an exclusion constraint over the time range
(btree_gist for the area's equality); SQLite serialises the check in the service instead. Booking and swap
events are append-only in the database too."""

from django.db import migrations

from gongzhi.core.migration_operations import AppendOnly

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status IN ('pending', 'confirmed'));
"""
DROP = "ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        AppendOnly("BookingEvent"),
        AppendOnly("SwapEvent"),
    ]
