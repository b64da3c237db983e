"""The volunteering pages: organising an activity, signing up, the QR screen and the scan page."""

import pytest

from gongzhi.volunteering import checkin
from gongzhi.volunteering.models import Activity, Signup

FORM = {
    "title": "楼道清理",
    "day": "2030-05-04",
    "start": "09:00",
    "end": "10:30",
    "capacity": "5",
    "place": "3号楼",
}


def test_staff_organise_and_residents_sign_up_and_scan(world, login):
    staff = login(world.a1_staff)
    response = staff.post("/volunteering/new/", {**FORM, "node": world.cmp_a1a.pk})
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/volunteering/activities/{activity.pk}/"
    assert activity.capacity == 5 and (activity.ends_at - activity.starts_at).total_seconds() == 90 * 60
    assert staff.get(f"/volunteering/activities/{activity.pk}/qr/").status_code == 200
    resident = login(world.resident)
    assert "楼道清理" in resident.get("/volunteering/").content.decode()
    resident.post(f"/volunteering/activities/{activity.pk}/act/", {"action": "join"})
    assert Signup.objects.get(activity=activity, user=world.resident).status == "confirmed"
    assert resident.get(f"/volunteering/activities/{activity.pk}/qr/").status_code == 404  # not the organiser
    page = resident.get(f"/volunteering/scan/{checkin.token_for(activity.pk)}/")
    assert page.status_code == 200
    # Scanning long before the start is refused with a message, and nothing changes.
    resident.post(f"/volunteering/scan/{checkin.token_for(activity.pk)}/")
    assert Signup.objects.get(activity=activity, user=world.resident).checked_in_at is None


@pytest.mark.parametrize(
    "change",
    [{"day": "someday"}, {"start": "25:00"}, {"end": "08:00"}, {"capacity": "0"}, {"title": " "}],
)
def test_a_bad_activity_form_changes_nothing(world, login, change):
    response = login(world.a1_staff).post("/volunteering/new/", {**FORM, "node": world.cmp_a1a.pk, **change})
    assert response.status_code == 200 and Activity.objects.count() == 0
    assert b'class="msg error"' in response.content


def test_residents_cannot_organise(world, login):
    assert login(world.resident).get("/volunteering/new/").status_code == 404
    # Staff of another community cannot place an activity here either.
    response = login(world.a2_staff).post("/volunteering/new/", {**FORM, "node": world.cmp_a1a.pk})
    assert response.status_code == 404 and Activity.objects.count() == 0
