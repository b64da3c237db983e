"""The volunteering list as residents read it: a roster's daily shifts as one entry, filters, and an
activity page worth opening."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, Signup, Team
from gongzhi.volunteering.selectors import activity_board, masked_name


def _tomorrow(hour: int) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime.combine(timezone.localdate() + timedelta(days=1), time(hour), tz)


def _world_with_a_roster(world):
    team = Team.objects.create(node=world.comm_a1, name="A1先锋队")
    roster = services.roster_create(
        actor=world.a1_staff,
        team=team,
        node=world.cmp_a1a,
        title="垃圾分类值守",
        start_time=time(7),
        end_time=time(8, 30),
        capacity=1,
    )
    shifts = services.roster_generate(
        actor=world.a1_staff, roster=roster, start=timezone.localdate(), days=14
    )
    visit = services.activity_create(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        title="独居老人探访",
        starts_at=_tomorrow(9) + timedelta(days=3),
        ends_at=_tomorrow(11) + timedelta(days=3),
        capacity=4,
        team=team,
    )
    return team, roster, shifts, visit


def test_a_rosters_shifts_are_one_entry_and_real_activities_stay_visible(world, login):
    _team, roster, shifts, visit = _world_with_a_roster(world)
    board = activity_board(fetched_by=world.resident)
    assert [a.title for a in board.activities] == ["独居老人探访"]
    assert len(board.duties) == 1
    duty = board.duties[0]
    future = [s for s in shifts if s.starts_at >= timezone.now()]  # a shift under way is no longer upcoming
    assert duty.roster == roster and duty.upcoming == len(future) and len(duty.shifts) == 3
    # A full shift is not offered: the next free ones are.
    services.signup_join(actor=world.commissioner, activity=duty.shifts[0])
    again = activity_board(fetched_by=world.resident).duties[0]
    assert duty.shifts[0].pk not in [s.pk for s in again.shifts] and len(again.shifts) == 3
    page = login(world.resident).get("/volunteering/").content.decode()
    assert page.count("垃圾分类值守") == 1 and "独居老人探访" in page
    assert f"/volunteering/activities/{visit.pk}/" in page


def test_filters_by_kind_and_period(world, login):
    _world_with_a_roster(world)
    assert activity_board(fetched_by=world.resident, kind="duty").activities == []
    assert activity_board(fetched_by=world.resident, kind="activity").duties == []
    today = activity_board(fetched_by=world.resident, when="today")
    assert today.activities == []  # the visit is in four days
    week = activity_board(fetched_by=world.resident, when="week")
    assert [a.title for a in week.activities] == ["独居老人探访"]
    page = login(world.resident).get("/volunteering/?kind=duty&when=bogus").content.decode()
    assert "独居老人探访" not in page and "垃圾分类值守" in page


def test_distance_filter_measures_from_home(world, login):
    world.cmp_a1a.lat, world.cmp_a1a.lng = 30.30, 120.16
    world.cmp_a1a.save(update_fields=["lat", "lng"])
    world.comm_a1.lat, world.comm_a1.lng = 30.33, 120.16  # the community's centre, about 3.3 km north
    world.comm_a1.save(update_fields=["lat", "lng"])
    for node, title in [(world.cmp_a1a, "近处"), (world.comm_a1, "远处")]:
        services.activity_create(
            actor=world.a1_staff,
            node=node,
            title=title,
            starts_at=_tomorrow(9),
            ends_at=_tomorrow(10),
            capacity=3,
        )
    staff_view = activity_board(fetched_by=world.a1_staff, near="1km")
    assert staff_view.home is None and len(staff_view.activities) == 2  # staff have no home: no filter
    near = activity_board(fetched_by=world.resident, near="1km")
    assert [a.title for a in near.activities] == ["近处"]
    assert len(activity_board(fetched_by=world.resident).activities) == 2


def test_an_activity_page_tells_what_where_whom_to_call_and_who_goes(world, login):
    world.a1_staff.set_phone("13955556666")
    world.a1_staff.save()
    world.cmp_a1a.lat, world.cmp_a1a.lng = 30.30, 120.16
    world.cmp_a1a.save(update_fields=["lat", "lng"])
    activity = services.activity_create(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        title="楼道清理",
        description="清理楼道堆物",
        directions="东门进，右转第二幢",
        bring="手套",
        starts_at=_tomorrow(9),
        ends_at=_tomorrow(11),
        capacity=5,
    )
    services.signup_join(actor=world.commissioner, activity=activity)
    world.commissioner.display_name = "周明"
    world.commissioner.save()
    resident = login(world.resident)
    page = resident.get(f"/volunteering/activities/{activity.pk}/").content.decode()
    for text in ("清理楼道堆物", "东门进，右转第二幢", "手套", "139****6666", "周*", 'id="spot-map"'):
        assert text in page, text
    assert "tel:13955556666" not in page and "周明" not in page
    # 2 hours at the default 10 points an hour.
    assert "约 20 积分" in page
    resident.post(f"/volunteering/activities/{activity.pk}/act/", {"action": "join"})
    assert Signup.objects.filter(activity=activity, user=world.resident).exists()
    assert "tel:13955556666" in resident.get(f"/volunteering/activities/{activity.pk}/").content.decode()


def test_masked_names():
    assert masked_name("张三丰") == "张*" and masked_name("") == "*"


def test_a_team_leader_without_a_team_chosen_is_told_what_is_missing(world, login):
    from gongzhi.volunteering.models import MemberRole, TeamMember

    team = Team.objects.create(node=world.sub_a, name="搭把手")
    TeamMember.objects.create(team=team, user=world.resident, role=MemberRole.LEADER)
    form = {
        "title": "助老陪护",
        "day": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "start": "09:00",
        "end": "10:00",
        "capacity": "4",
        "node": world.sub_a.pk,
        "description": "陪老人配药",
    }
    response = login(world.resident).post("/volunteering/new/", form)
    page = response.content.decode()
    assert response.status_code == 400 and "请选择队伍" in page and "陪老人配药" in page
    assert Activity.objects.count() == 0
    response = login(world.resident).post("/volunteering/new/", {**form, "team": team.pk})
    assert response.status_code == 302 and Activity.objects.get().node == world.sub_a


def _past_activity(world, team=None, days_ago=2):
    """An activity held ``days_ago`` days ago with the resident signed up (made as the demo makes history)."""
    from gongzhi.volunteering.models import SignupStatus

    start = _tomorrow(9) - timedelta(days=days_ago + 1)
    activity = Activity.objects.create(
        node=world.cmp_a1a,
        team=team,
        organiser=world.a1_staff,
        title="楼道清理",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
    )
    Signup.objects.create(activity=activity, user=world.resident, status=SignupStatus.CONFIRMED)
    return activity


def test_hours_wait_for_the_start_and_a_held_activity_cannot_be_cancelled(world, login):
    import pytest

    from gongzhi.volunteering.errors import VolunteeringError

    coming = services.activity_create(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        title="助老陪护",
        starts_at=_tomorrow(9),
        ends_at=_tomorrow(11),
        capacity=3,
    )
    signup = services.signup_join(actor=world.resident, activity=coming)
    with pytest.raises(VolunteeringError):
        services.hours_confirm(actor=world.a1_staff, signup=signup, hours=2)
    assert Signup.objects.get(pk=signup.pk).confirmed_at is None
    page = login(world.a1_staff).get(f"/volunteering/activities/{coming.pk}/").content.decode()
    assert 'value="confirm"' not in page and "开始后确认" in page
    held = _past_activity(world)
    with pytest.raises(VolunteeringError):
        services.activity_cancel(actor=world.a1_staff, activity=held, reason="下雨")
    page = login(world.a1_staff).get(f"/volunteering/activities/{held.pk}/").content.decode()
    assert 'value="cancel_activity"' not in page and 'value="confirm"' in page
    other = login(world.commissioner).get(f"/volunteering/activities/{held.pk}/").content.decode()
    assert 'value="join"' not in other and "这个活动已经结束" in other


def test_organisers_see_the_hours_they_still_have_to_confirm(world, login):
    held = _past_activity(world)
    page = login(world.a1_staff).get("/volunteering/").content.decode()
    assert "待确认时长" in page and f"/volunteering/activities/{held.pk}/" in page and "1 人待确认" in page
    signup = Signup.objects.get(activity=held)
    services.hours_confirm(actor=world.a1_staff, signup=signup, hours=2)
    assert "待确认时长" not in login(world.a1_staff).get("/volunteering/").content.decode()


def test_a_duty_offers_shifts_still_to_begin_and_says_the_next_are_full(world):
    _team, _roster, shifts, _visit = _world_with_a_roster(world)
    future = [s for s in shifts if s.starts_at > timezone.now()]
    for shift in future[:2]:
        services.signup_join(actor=world.commissioner, activity=shift)
    duty = activity_board(fetched_by=world.resident).duties[0]
    assert duty.full_before == 2 and duty.shifts[0].pk == future[2].pk
    assert all(s.starts_at > timezone.now() for s in duty.shifts) and duty.upcoming == len(future)


def test_every_error_of_the_activity_form_beside_its_box_at_once(world, login):
    from gongzhi.volunteering.models import MemberRole, TeamMember

    team = Team.objects.create(node=world.sub_a, name="搭把手")
    TeamMember.objects.create(team=team, user=world.resident, role=MemberRole.LEADER)
    response = login(world.resident).post(
        "/volunteering/new/",
        {
            "title": "助老陪护",
            "day": "2030-05-04",
            "start": "10:00",
            "end": "09:00",
            "capacity": "4",
            "bring": "手套",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and Activity.objects.count() == 0
    for text in ("请选择地点", "结束时间要晚于开始时间", "请选择队伍", 'value="手套"'):
        assert text in page, text
