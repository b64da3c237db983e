"""Teams, activities, sign-ups with a waiting list, rotating QR check-in, hours and the points they earn."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.roles import Role
from gongzhi.ledger.earning import (
    award_decide,
    award_propose,
    earning_policy_set,
)
from gongzhi.ledger.models import AccountKind, AwardStatus
from gongzhi.ledger.services import LedgerError, account_for, points_reconcile
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import checkin
from gongzhi.volunteering.models import Attendance, MemberRole, SignupStatus
from gongzhi.volunteering.selectors import activities_upcoming, hours_of_node, hours_of_person, party_board
from gongzhi.volunteering.services import (
    VolunteeringError,
    activity_cancel,
    activity_create,
    attendance_mark,
    attendance_scan,
    hours_confirm,
    party_report,
    roster_create,
    roster_generate,
    signup_cancel,
    signup_join,
    team_member_add,
)
from tests.accounts.factories import UserFactory
from tests.conftest import bind

# Every test here also runs on PostgreSQL, where joining takes its place through the server-side function
# (migration volunteering 0002) instead of the ORM path: the same behaviour is asserted of both.
pytestmark = pytest.mark.postgres

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 5, 7, 0, tzinfo=TZ)  # a Saturday, garbage-sorting duty 7:00–8:30
BEFORE = START - timedelta(days=1)
AFTER = START + timedelta(hours=3)  # hours are confirmed once the duty has begun


@pytest.fixture
def duty(world, team):
    with time_machine.travel(BEFORE, tick=False):
        return activity_create(
            actor=world.a1_secretary,
            node=world.cmp_a1a,
            team=team,
            title="垃圾分类值守",
            starts_at=START,
            ends_at=START + timedelta(minutes=90),
            capacity=2,
            place="3号楼垃圾房",
            lat=30.32,
            lng=120.15,
            checkin_radius_m=100,
        )


def people(n):
    return [UserFactory() for _ in range(n)]


def test_a_full_activity_has_a_waiting_list_and_moves_it_up(world, duty):
    a, b, c = people(3)
    with time_machine.travel(BEFORE, tick=False):
        assert [signup_join(actor=u, activity=duty).status for u in (a, b, c)] == [
            SignupStatus.CONFIRMED,
            SignupStatus.CONFIRMED,
            SignupStatus.WAITLISTED,
        ]
        assert (
            signup_join(actor=a, activity=duty).status == SignupStatus.CONFIRMED
        )  # joining again: same place
        signup_cancel(actor=b, signup=duty.signups.get(user=b))
    assert duty.signups.get(user=c).status == SignupStatus.CONFIRMED
    assert Notification.objects.filter(recipient=c, kind="signup_promoted").exists()
    with (
        time_machine.travel(START + timedelta(minutes=5), tick=False),
        pytest.raises(VolunteeringError) as late,
    ):
        signup_cancel(actor=a, signup=duty.signups.get(user=a))
    assert late.value.code == "wrong_state"


def test_joining_again_after_cancelling_takes_the_same_row_back(world, duty):
    a, b, c = people(3)
    with time_machine.travel(BEFORE, tick=False):
        first = signup_join(actor=a, activity=duty)
        signup_cancel(actor=a, signup=first)
        signup_join(actor=b, activity=duty)
        signup_join(actor=c, activity=duty)
        again = signup_join(actor=a, activity=duty)  # both places taken meanwhile
    assert again.pk == first.pk and again.status == SignupStatus.WAITLISTED
    assert duty.signups.filter(user=a).count() == 1
    assert duty.signups.get(user=a).status == SignupStatus.WAITLISTED


@pytest.mark.django_db(transaction=True)
def test_a_crowd_scanning_at_once_never_overfills(world, team):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    now = timezone.now()
    activity = activity_create(
        actor=world.a1_secretary,
        node=world.cmp_a1a,
        team=team,
        title="河道巡查",
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        capacity=10,
    )
    crowd = people(30)
    start = threading.Barrier(len(crowd))
    outcomes: list[str] = []

    def scan(user):
        start.wait()
        try:
            attendance_scan(actor=user, activity=activity, token=checkin.token_for(activity.pk))
            outcomes.append("ok")
        except VolunteeringError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(u,)) for u in crowd]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 20 + ["ok"] * 10
    signups = activity.signups.all()
    assert signups.filter(status=SignupStatus.CONFIRMED, checked_in_at__isnull=False).count() == 10
    assert signups.filter(status=SignupStatus.WAITLISTED, checked_in_at__isnull=True).count() == 20


def test_check_in_with_the_rotating_code_then_out_and_confirm_hours(world, duty):
    volunteer = people(1)[0]
    with time_machine.travel(BEFORE, tick=False):
        signup_join(actor=volunteer, activity=duty)
    with time_machine.travel(START - timedelta(minutes=5), tick=False):
        code = checkin.token_for(duty.pk)
        signup = attendance_scan(actor=volunteer, activity=duty, token=code)
        assert signup.checked_in_at is not None and signup.attendance == Attendance.PRESENT
    # A photo of the code is useless a minute later.
    with time_machine.travel(START + timedelta(minutes=80), tick=False):
        with pytest.raises(VolunteeringError) as stale:
            attendance_scan(actor=volunteer, activity=duty, token=code)
        assert stale.value.code == "bad_code"
        signup = attendance_scan(actor=volunteer, activity=duty, token=checkin.token_for(duty.pk))
        assert signup.checked_out_at is not None
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        signup = hours_confirm(actor=world.commissioner, signup=signup)  # the team leader confirms
    assert signup.hours == Decimal("1.42")  # 6:55 → 8:20
    assert signup.points == 14  # 1.42 h × 10 points × 1.0
    assert account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=volunteer).balance == 14
    with pytest.raises(VolunteeringError) as twice:
        hours_confirm(actor=world.a1_secretary, signup=signup, hours=Decimal(5))
    assert twice.value.code == "wrong_state"
    assert account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=volunteer).balance == 14
    assert hours_of_person(fetched_by=volunteer).hours == Decimal("1.42")
    assert hours_of_node(fetched_by=world.sub_admin, node=world.comm_a1).services == 1
    assert points_reconcile().sound


@pytest.mark.parametrize(
    "token, when, code",
    [
        ("", START, "invalid"),
        ("not-a-code", START, "bad_code"),
        ("9999-1-abc", START, "bad_code"),
        ("forged", START, "bad_code"),
        ("ok", START - timedelta(hours=2), "too_early"),
        ("ok", START + timedelta(hours=2), "wrong_state"),  # ended: no new check-in
    ],
)
def test_bad_scans_change_nothing(world, duty, token, when, code):
    volunteer = people(1)[0]
    with time_machine.travel(BEFORE, tick=False):
        signup_join(actor=volunteer, activity=duty)
    with time_machine.travel(when, tick=False):
        if token == "ok":
            token = checkin.token_for(duty.pk)
        elif token == "forged":
            real = checkin.token_for(duty.pk)
            token = real[:-1] + ("0" if real[-1] != "0" else "1")
        with pytest.raises(VolunteeringError) as refused:
            attendance_scan(actor=volunteer, activity=duty, token=token)
    assert refused.value.code == code
    assert duty.signups.get(user=volunteer).checked_in_at is None


def test_check_in_by_location_within_the_radius(world, duty):
    near, far = people(2)
    with time_machine.travel(START, tick=False):
        assert attendance_scan(actor=near, activity=duty, lat=30.3204, lng=120.1503).checked_in_at  # ~50 m
        with pytest.raises(VolunteeringError) as refused:
            attendance_scan(actor=far, activity=duty, lat=30.33, lng=120.15)  # ~1.1 km
    assert refused.value.code == "too_far"


def test_late_walk_ins_and_a_full_activity(world, duty):
    a, b, c = people(3)
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        code = checkin.token_for(duty.pk)
        assert attendance_scan(actor=a, activity=duty, token=code).attendance == Attendance.LATE
        attendance_scan(actor=b, activity=duty, token=code)
        with pytest.raises(VolunteeringError) as full:
            attendance_scan(actor=c, activity=duty, token=code)
    assert full.value.code == "full"


def test_leave_and_absence_earn_nothing(world, duty):
    a, b = people(2)
    with time_machine.travel(BEFORE, tick=False):
        for u in (a, b):
            signup_join(actor=u, activity=duty)
    signup = duty.signups.get(user=a)
    with pytest.raises(VolunteeringError):
        attendance_mark(actor=a, signup=signup, attendance=Attendance.PRESENT)  # not the organiser
    attendance_mark(actor=world.a1_secretary, signup=signup, attendance=Attendance.LEAVE)
    other = duty.signups.get(user=b)
    with pytest.raises(VolunteeringError) as early:
        hours_confirm(actor=world.a1_secretary, signup=other, hours=Decimal(2))  # the duty has not begun
    assert early.value.code == "wrong_state"
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(VolunteeringError) as refused:
            hours_confirm(actor=world.a1_secretary, signup=signup, hours=Decimal(2))
        assert refused.value.code == "wrong_state"
        # Someone who could not scan: the organiser gives the hours.
        with pytest.raises(VolunteeringError) as no_hours:
            hours_confirm(actor=world.a1_secretary, signup=other)
        assert no_hours.value.code == "invalid"
        for bad in (Decimal(-1), Decimal(25)):
            with pytest.raises(VolunteeringError):
                hours_confirm(actor=world.a1_secretary, signup=other, hours=bad)
        assert hours_confirm(actor=world.a1_secretary, signup=other, hours=Decimal("1.5")).points == 15


def test_the_role_multiplier_and_the_subdistrict_rule(world, duty, team):
    earning_policy_set(
        actor=world.sub_admin, subdistrict=world.sub_a, points_per_hour=20, multipliers={"party_member": 1.5}
    )
    member, plain = people(2)
    bind(member, Role.PARTY_MEMBER, world.cmp_a1a)
    with time_machine.travel(BEFORE, tick=False):
        for u in (member, plain):
            signup_join(actor=u, activity=duty)
    with time_machine.travel(AFTER, tick=False):
        got = {
            u: hours_confirm(
                actor=world.a1_secretary, signup=duty.signups.get(user=u), hours=Decimal(2)
            ).points
            for u in (member, plain)
        }
    assert got == {member: 60, plain: 40}
    with pytest.raises(LedgerError):
        earning_policy_set(
            actor=world.sub_admin, subdistrict=world.sub_a, points_per_hour=20, multipliers={"boss": 9}
        )
    with pytest.raises(LedgerError):
        earning_policy_set(actor=world.a2_staff, subdistrict=world.sub_b, points_per_hour=5, multipliers={})


def test_nobody_confirms_their_own_hours_and_strangers_cannot_organise(world, duty, team):
    with time_machine.travel(BEFORE, tick=False):
        signup = signup_join(actor=world.commissioner, activity=duty)  # the team leader serves too
    with pytest.raises(VolunteeringError) as own:
        hours_confirm(actor=world.commissioner, signup=signup, hours=Decimal(1))
    assert own.value.code == "forbidden"
    with pytest.raises(VolunteeringError):
        hours_confirm(actor=world.a2_staff, signup=signup, hours=Decimal(1))
    with pytest.raises(VolunteeringError):
        activity_create(
            actor=world.resident,
            node=world.cmp_a1a,
            title="x",
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            capacity=3,
        )
    with pytest.raises(VolunteeringError) as bad:
        activity_create(
            actor=world.a1_staff, node=world.cmp_a1a, title="x", starts_at=START, ends_at=START, capacity=3
        )
    assert bad.value.code == "invalid"


def test_cancelling_tells_everyone_signed_up(world, duty):
    a, b, c = people(3)
    with time_machine.travel(BEFORE, tick=False):
        for u in (a, b, c):
            signup_join(actor=u, activity=duty)
    with pytest.raises(VolunteeringError):
        activity_cancel(actor=world.a1_staff, activity=duty, reason=" ")
    activity_cancel(actor=world.a1_staff, activity=duty, reason="暴雨")
    assert Notification.objects.filter(kind="activity_cancelled").count() == 3
    with time_machine.travel(BEFORE, tick=False), pytest.raises(VolunteeringError):
        signup_join(actor=UserFactory(), activity=duty)


def test_a_roster_makes_one_shift_per_duty_day(world, team):
    from datetime import date, time

    roster = roster_create(
        actor=world.a1_secretary,
        team=team,
        node=world.cmp_a1a,
        title="垃圾分类晚班",
        start_time=time(18, 0),
        end_time=time(20, 30),
        weekdays="1,3,5",
    )
    made = roster_generate(actor=world.a1_secretary, roster=roster, start=date(2026, 11, 30), days=14)
    assert [a.starts_at.astimezone(TZ).strftime("%a %H:%M") for a in made][:3] == [
        "Mon 18:00",
        "Wed 18:00",
        "Fri 18:00",
    ]
    assert len(made) == 6
    assert roster_generate(actor=world.a1_secretary, roster=roster, start=date(2026, 11, 30), days=14) == []
    with pytest.raises(VolunteeringError):
        roster_create(
            actor=world.a1_secretary,
            team=team,
            node=world.cmp_a1a,
            title="x",
            start_time=time(9),
            end_time=time(8),
        )


def test_residents_see_activities_where_they_belong(world, duty):
    elsewhere = activity_create(
        actor=world.a2_staff,
        node=world.comm_a2,
        title="别处的活动",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        capacity=5,
    )
    with time_machine.travel(BEFORE, tick=False):
        seen = list(activities_upcoming(fetched_by=world.resident))
    assert duty in seen and elsewhere not in seen


def test_awards_need_a_second_person(world):
    award = award_propose(
        actor=world.a1_staff,
        subdistrict=world.sub_a,
        recipient=world.resident,
        amount=50,
        reason="救助落水儿童",
    )
    with pytest.raises(LedgerError) as own:
        award_decide(actor=world.a1_staff, award=award, approve=True)
    assert own.value.code == "forbidden"
    assert account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident).balance == 0
    with pytest.raises(LedgerError):  # a caseworker who is not a secretary or administrator
        award_decide(actor=world.commissioner, award=award, approve=True)
    award_decide(actor=world.sub_admin, award=award, approve=True)
    assert award.status == AwardStatus.APPROVED
    with pytest.raises(LedgerError):
        award_decide(actor=world.a1_secretary, award=award, approve=True)
    assert account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident).balance == 50
    for bad in (0, 501, -3):
        with pytest.raises(LedgerError):
            award_propose(
                actor=world.a1_staff,
                subdistrict=world.sub_a,
                recipient=world.resident,
                amount=bad,
                reason="x",
            )
    with pytest.raises(LedgerError):
        award_propose(
            actor=world.resident, subdistrict=world.sub_a, recipient=world.resident, amount=5, reason="x"
        )


def test_party_members_report_to_their_compound(world):
    member = UserFactory()
    bind(member, Role.PARTY_MEMBER, world.cmp_a1a)
    neighbour = UserFactory()
    bind(neighbour, Role.RESIDENT, world.cmp_a1a)
    with pytest.raises(VolunteeringError):
        party_report(actor=neighbour, compound=world.cmp_a1a, display_name="张三", pledge="x")
    with pytest.raises(VolunteeringError):
        party_report(actor=member, compound=world.comm_a1, display_name="李四", pledge="每月参加一次值守")
    party_report(
        actor=member,
        compound=world.cmp_a1a,
        display_name="李四",
        pledge="每月参加一次值守",
        workplace="区卫健局",
    )
    again = party_report(actor=member, compound=world.cmp_a1a, display_name="李四", pledge="每周一次")
    board = list(party_board(fetched_by=neighbour))
    assert board == [again]  # one active report per member; the public board shows it to neighbours


@pytest.mark.postgres
def test_volunteering_api(world, duty, api_login):
    volunteer = UserFactory()
    bind(volunteer, Role.VOLUNTEER, world.cmp_a1a)
    client = api_login(volunteer)
    organiser = api_login(world.a1_secretary)
    with time_machine.travel(BEFORE, tick=False):
        assert [a["title"] for a in client.get("/api/v1/activities").json()["items"]] == ["垃圾分类值守"]
        joined = client.post(f"/api/v1/activities/{duty.pk}/signup")
        assert joined.status_code == 200 and joined.json()["status"] == "confirmed"
        assert (
            client.get(f"/api/v1/activities/{duty.pk}/checkin-code").status_code == 404
        )  # not the organiser
    with time_machine.travel(START, tick=False):
        code = organiser.get(f"/api/v1/activities/{duty.pk}/checkin-code").json()
        assert code["url"].endswith(f"/volunteering/scan/{code['token']}/")
        scanned = client.post(
            f"/api/v1/activities/{duty.pk}/checkin", {"token": code["token"]}, content_type="application/json"
        )
        assert scanned.status_code == 200 and scanned.json()["attendance"] == "present"
        bad = client.post(
            f"/api/v1/activities/{duty.pk}/checkin", {"token": "1-2-3"}, content_type="application/json"
        )
        assert bad.status_code == 422 and bad.json()["code"] == "bad_code"
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        client.post(
            f"/api/v1/activities/{duty.pk}/checkin",
            {"token": organiser.get(f"/api/v1/activities/{duty.pk}/checkin-code").json()["token"]},
            content_type="application/json",
        )
    roster = organiser.get(f"/api/v1/activities/{duty.pk}/signups").json()
    with time_machine.travel(AFTER, tick=False):
        confirmed = organiser.post(
            f"/api/v1/signups/{roster[0]['id']}/confirm", {}, content_type="application/json"
        )
    assert confirmed.json()["hours"] == "1.00" and confirmed.json()["points"] == 10
    assert client.get("/api/v1/volunteering/hours").json()["services"] == 1
    assert client.get("/api/v1/points/balance").json()[0]["balance"] == 10
    stranger = api_login(world.sub_b_admin)
    assert stranger.get(f"/api/v1/activities/{duty.pk}").status_code == 404


def test_a_team_leader_without_a_staff_role_confirms_through_the_api(world, duty, team, api_login):
    leader, volunteer, stranger = people(3)
    bind(leader, Role.VOLUNTEER, world.cmp_a1a)
    bind(stranger, Role.VOLUNTEER, world.cmp_a1a)
    team_member_add(actor=world.a1_secretary, team=team, user=leader, role=MemberRole.LEADER)
    with time_machine.travel(BEFORE, tick=False):
        signup = signup_join(actor=volunteer, activity=duty)
    assert (
        api_login(stranger)
        .post(f"/api/v1/signups/{signup.pk}/confirm", {"hours": "1"}, content_type="application/json")
        .status_code
        == 404
    )
    with time_machine.travel(AFTER, tick=False):
        confirmed = api_login(leader).post(
            f"/api/v1/signups/{signup.pk}/confirm", {"hours": "1"}, content_type="application/json"
        )
    assert confirmed.status_code == 200 and confirmed.json()["points"] == 10


def test_activity_lists_take_the_same_queries_for_one_activity_or_many(world, duty, team, api_login):
    volunteer = UserFactory()
    bind(volunteer, Role.VOLUNTEER, world.cmp_a1a)
    client, organiser = api_login(volunteer), api_login(world.a1_secretary)
    with time_machine.travel(BEFORE, tick=False):
        client.get("/api/v1/activities")  # the first request of a token also records its use
        organiser.get(f"/api/v1/activities/{duty.pk}/signups")
        signup_join(actor=volunteer, activity=duty)
        with CaptureQueriesContext(connection) as few:
            assert len(client.get("/api/v1/activities").json()["items"]) == 1
        with CaptureQueriesContext(connection) as few_signups:
            assert len(organiser.get(f"/api/v1/activities/{duty.pk}/signups").json()) == 1
        for n in range(4):  # more activities, with and without a team, and more people signed up
            activity_create(
                actor=world.a1_secretary,
                node=world.cmp_a1a,
                team=team if n % 2 else None,
                title=f"活动{n}",
                starts_at=START + timedelta(days=n + 1),
                ends_at=START + timedelta(days=n + 1, hours=1),
                capacity=3,
            )
        for person in people(3):  # one of them on the waiting list
            signup_join(actor=person, activity=duty)
        with CaptureQueriesContext(connection) as many:
            assert len(client.get("/api/v1/activities").json()["items"]) == 5
        with CaptureQueriesContext(connection) as many_signups:
            assert len(organiser.get(f"/api/v1/activities/{duty.pk}/signups").json()) == 4
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many_signups) == len(few_signups), [q["sql"] for q in many_signups]
