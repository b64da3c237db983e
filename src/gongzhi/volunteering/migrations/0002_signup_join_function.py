"""On PostgreSQL a sign-up (and a walk-in's check-in scan) takes its place through one server-side function.

Capacity needs the activity's row lock while places are counted; through the ORM that lock is held for
four round trips, and fifty volunteers scanning one activity's code at once queue behind each other.
The function does what ``volunteering.services.signup_join`` does on other databases, under the same
lock, in one round trip. ``tests/volunteering/test_volunteering.py`` runs on SQLite (portable path) and
on PostgreSQL (this function). A change to joining changes both, in a new migration for this one.
"""

from django.db import migrations

SIGNUP_JOIN = """
CREATE OR REPLACE FUNCTION gongzhi_signup_join(p_activity bigint, p_user bigint, p_at timestamptz)
RETURNS TABLE (o_id bigint, o_status text, o_created boolean)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_capacity integer;
    v_id bigint;
    v_status text;
    v_taken bigint;
BEGIN
    SELECT a.capacity INTO v_capacity FROM volunteering_activity a WHERE a.id = p_activity FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no activity %', p_activity;
    END IF;
    SELECT s.id, s.status INTO v_id, v_status FROM volunteering_signup s
     WHERE s.activity_id = p_activity AND s.user_id = p_user;
    IF v_id IS NOT NULL AND v_status <> 'cancelled' THEN
        RETURN QUERY SELECT v_id, v_status, false;
        RETURN;
    END IF;
    SELECT count(*) INTO v_taken FROM volunteering_signup s
     WHERE s.activity_id = p_activity AND s.status = 'confirmed';
    v_status := CASE WHEN v_taken < v_capacity THEN 'confirmed' ELSE 'waitlisted' END;
    IF v_id IS NOT NULL THEN
        UPDATE volunteering_signup SET status = v_status, created_at = p_at WHERE id = v_id;
        RETURN QUERY SELECT v_id, v_status, false;
        RETURN;
    END IF;
    INSERT INTO volunteering_signup (activity_id, user_id, status, created_at, attendance, points)
        VALUES (p_activity, p_user, v_status, p_at, '', 0)
        RETURNING id INTO v_id;
    RETURN QUERY SELECT v_id, v_status, true;
END
$fn$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SIGNUP_JOIN, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS gongzhi_signup_join(bigint, bigint, timestamptz)", None)


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
