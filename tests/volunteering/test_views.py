"""The volunteering pages: organising an activity, signing up, the QR screen and the scan page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gongzhi.volunteering import checkin
from gongzhi.volunteering.models import Activity, Roster, Signup

TZ = ZoneInfo("Asia/Shanghai")

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
    assert response.status_code == 400 and Activity.objects.count() == 0
    assert b'class="msg error"' in response.content


def test_residents_cannot_organise(world, login):
    assert login(world.resident).get("/volunteering/new/").status_code == 404
    # Staff of another community cannot place an activity here either.
    response = login(world.a2_staff).post("/volunteering/new/", {**FORM, "node": world.cmp_a1a.pk})
    assert response.status_code == 404 and Activity.objects.count() == 0


ROSTER = {
    "form": "create",
    "title": "垃圾分类值守",
    "place": "3号楼垃圾房",
    "start": "07:00",
    "end": "08:30",
    "capacity": "2",
}


def test_a_team_leader_sets_up_a_roster_makes_shifts_and_pauses_it(world, login, team):
    leader = login(world.commissioner)  # leads the team; no staff role over the community
    assert 'href="/volunteering/rosters/"' in leader.get("/volunteering/").content.decode()
    data = {**ROSTER, "team": team.pk, "node": world.cmp_a1a.pk, "weekdays": ["1", "3", "5"]}
    response = leader.post("/volunteering/rosters/", data)
    assert response.status_code == 302
    roster = Roster.objects.get()
    assert (roster.weekdays, roster.capacity, roster.node_id) == ("1,3,5", 2, world.cmp_a1a.pk)

    def shifts():
        return Activity.objects.filter(roster=roster)

    assert 5 <= shifts().count() <= 7  # Mondays, Wednesdays and Fridays in the next 14 days
    assert {a.starts_at.astimezone(TZ).isoweekday() for a in shifts()} <= {1, 3, 5}
    page = leader.get("/volunteering/rosters/").content.decode()
    assert "垃圾分类值守" in page and "07:00–08:30" in page
    # Four weeks ahead adds only the missing shifts; running it again adds none.
    leader.post("/volunteering/rosters/", {"form": "generate", "roster": roster.pk, "days": "28"})
    four_weeks = shifts().count()
    assert 11 <= four_weeks <= 13
    leader.post("/volunteering/rosters/", {"form": "generate", "roster": roster.pk, "days": "28"})
    assert shifts().count() == four_weeks
    # Paused: no new shifts.
    leader.post("/volunteering/rosters/", {"form": "active", "roster": roster.pk, "active": "0"})
    response = leader.post(
        "/volunteering/rosters/", {"form": "generate", "roster": roster.pk, "days": "60"}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert shifts().count() == four_weeks and not Roster.objects.get().is_active


@pytest.mark.parametrize(
    "change",
    [
        {"weekdays": []},
        {"weekdays": ["8"]},
        {"start": "9am"},
        {"end": "06:00"},
        {"capacity": "0"},
        {"capacity": "many"},
        {"team": "999999"},
    ],
)
def test_a_bad_roster_form_changes_nothing(world, login, team, change):
    data = {**ROSTER, "team": team.pk, "node": world.cmp_a1a.pk, "weekdays": ["1"], **change}
    response = login(world.a1_staff).post("/volunteering/rosters/", data)
    assert response.status_code == 422 and b'class="msg error"' in response.content
    assert not Roster.objects.exists() and not Activity.objects.exists()


def test_rosters_are_not_for_residents_or_strangers(world, login, team):
    assert login(world.resident).get("/volunteering/rosters/").status_code == 404
    leader = login(world.commissioner)
    leader.post(
        "/volunteering/rosters/", {**ROSTER, "team": team.pk, "node": world.cmp_a1a.pk, "weekdays": ["1"]}
    )
    roster = Roster.objects.get()
    # Staff of the neighbouring community neither see it nor make its shifts.
    neighbour = login(world.a2_staff)
    assert "垃圾分类值守" not in neighbour.get("/volunteering/rosters/").content.decode()
    response = neighbour.post(
        "/volunteering/rosters/", {"form": "generate", "roster": roster.pk, "days": "28"}
    )
    assert response.status_code == 404
    assert Activity.objects.filter(roster=roster).count() <= 3


def test_an_activity_signed_up_for_in_a_neighbouring_compound_still_opens(world, login):
    """The walk found 我的报名 linking to 404s: a team member of 小区A1a who served in 小区A1b could not
    open those activities again. Their own sign-up opens it; others still get 404."""
    start = datetime(2030, 5, 4, 9, tzinfo=TZ)
    activity = Activity.objects.create(
        node=world.cmp_a1b,
        organiser=world.a1_staff,
        title="助老陪护",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=4,
    )
    resident = login(world.resident)
    assert resident.get(f"/volunteering/activities/{activity.pk}/").status_code == 404
    Signup.objects.create(activity=activity, user=world.resident, status="confirmed")
    page = resident.get(f"/volunteering/activities/{activity.pk}/")
    assert page.status_code == 200 and "助老陪护" in page.content.decode()
    assert login(world.a2_staff).get(f"/volunteering/activities/{activity.pk}/").status_code == 404
