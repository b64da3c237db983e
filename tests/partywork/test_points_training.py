"""Member points (proposed and approved by different people, deductions, caps, the member's own view, never
spendable) and training (heartbeat crediting: none while hidden, once for two tabs, capped; QR check-in)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.ledger.models import PointsEntry
from gongzhi.partywork import selectors, services
from gongzhi.partywork.checkin import current_code
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import Attendance, MemberPointsEntry, MemberPointsRule, PointsKind


@pytest.fixture
def rules(pw):
    sub = pw.world.sub_a
    return {
        "base": MemberPointsRule.objects.create(
            node=sub, code="base", name="月度基础分", kind=PointsKind.BASE, points=60
        ),
        "study": MemberPointsRule.objects.create(
            node=sub, code="study", name="集中学习", kind=PointsKind.ITEM, points=5, monthly_cap=20
        ),
        "absent": MemberPointsRule.objects.create(
            node=sub, code="absent", name="无故缺席", kind=PointsKind.DEDUCTION, points=10
        ),
        "other": MemberPointsRule.objects.create(
            node=pw.world.sub_b, code="x", name="别的街道", kind=PointsKind.ITEM, points=1
        ),
    }


def test_points_are_proposed_and_approved_by_different_people(pw, rules):
    month = date(2026, 3, 1)
    base = services.points_propose(
        actor=pw.secretary, membership=pw.member_m, rule=rules["base"], month=month
    )
    absent = services.points_propose(
        actor=pw.secretary, membership=pw.member_m, rule=rules["absent"], month=month
    )
    assert (base.points, absent.points) == (60, -10)
    assert (
        selectors.points_total(selectors.my_points(fetched_by=pw.member, year=2026)) == 0
    )  # nothing approved
    with pytest.raises(PartyError) as own:
        services.points_decide(actor=pw.secretary, entry=base, approve=True)
    assert own.value.status == 403
    services.points_decide(actor=pw.reviewer, entry=base, approve=True)
    services.points_decide(actor=pw.reviewer, entry=absent, approve=True)
    assert selectors.points_total(selectors.my_points(fetched_by=pw.member, year=2026)) == 50
    with pytest.raises(PartyError) as twice:
        services.points_decide(actor=pw.committee, entry=base, approve=False)
    assert twice.value.status == 409
    with transaction.atomic(), pytest.raises(IntegrityError):
        MemberPointsEntry.objects.filter(pk=base.pk).update(decided_by=pw.secretary)
    # Never spendable: nothing moved in the residents' points ledger.
    assert not PointsEntry.objects.exists()


def test_a_monthly_cap_and_rules_of_another_subdistrict(pw, rules):
    month = date(2026, 3, 1)
    e = services.points_propose(
        actor=pw.secretary, membership=pw.member_m, rule=rules["study"], month=month, units=3
    )
    assert e.points == 15
    e = services.points_propose(
        actor=pw.secretary, membership=pw.member_m, rule=rules["study"], month=month, units=3
    )
    assert e.points == 5  # up to the cap of 20
    with pytest.raises(PartyError) as cap:
        services.points_propose(actor=pw.secretary, membership=pw.member_m, rule=rules["study"], month=month)
    assert cap.value.code == "cap_reached"
    with pytest.raises(PartyError):
        services.points_propose(actor=pw.secretary, membership=pw.member_m, rule=rules["other"], month=month)
    with pytest.raises(PartyError):
        services.points_propose(actor=pw.member, membership=pw.member_m, rule=rules["base"], month=month)
    with pytest.raises(PartyError):
        services.points_propose(
            actor=pw.secretary,
            membership=pw.member_m,
            rule=rules["base"],
            month=timezone.localdate() + timedelta(days=40),
        )


def test_a_member_sees_only_their_own_points(pw, rules):
    services.points_propose(
        actor=pw.secretary, membership=pw.member_m, rule=rules["base"], month=date(2026, 3, 1)
    )
    services.points_propose(
        actor=pw.reviewer, membership=pw.secretary_m, rule=rules["base"], month=date(2026, 3, 1)
    )
    assert selectors.my_points(fetched_by=pw.member, year=2026).count() == 1
    assert not selectors.points_entries(fetched_by=pw.world.a2_staff).exists()
    assert selectors.points_entries(fetched_by=pw.reviewer).count() == 2


def test_volunteer_hours_are_credited_once(pw, rules):
    MemberPointsRule.objects.create(
        node=pw.world.sub_a, code="vol", name="志愿服务", kind="item", points=2, source="volunteer_hours"
    )
    month = date(2026, 3, 1)
    first = services.points_from_volunteering(
        actor=pw.secretary, membership=pw.member_m, month=month, hours=Decimal("7.5")
    )
    assert (first.units, first.points) == (7, 14)
    assert (
        services.points_from_volunteering(
            actor=pw.secretary, membership=pw.member_m, month=month, hours=Decimal("7.9")
        )
        is None
    )
    more = services.points_from_volunteering(
        actor=pw.secretary, membership=pw.member_m, month=month, hours=Decimal(10)
    )
    assert more.units == 3


def test_peer_evaluation_once_a_year(pw):
    services.peer_evaluate(actor=pw.secretary, membership=pw.member_m, year=2025, grade="excellent")
    with pytest.raises(PartyError) as twice:
        services.peer_evaluate(actor=pw.secretary, membership=pw.member_m, year=2025, grade="qualified")
    assert twice.value.code == "duplicate"
    assert [e.grade for e in selectors.my_evaluations(fetched_by=pw.member)] == ["excellent"]


# --- training ---------------------------------------------------------------------------------------------


@pytest.fixture
def live(pw):
    course = services.course_create(actor=pw.committee, node=pw.world.sub_a, name="春训", series="春训")
    starts = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    return services.session_create(
        actor=pw.committee,
        course=course,
        title="第一讲",
        mode="live",
        starts_at=starts,
        minutes=3,
        stream_url="https://live.example.org/a.m3u8",
    )


def test_heartbeat_credits_a_minute_only_while_visible(pw, live):
    t = live.starts_at + timedelta(seconds=5)
    assert services.session_heartbeat(user=pw.member, session=live, visible=False, now=t) == 0
    assert services.session_heartbeat(user=pw.member, session=live, visible=True, now=t) == 1


def test_two_tabs_do_not_credit_twice(pw, live):
    t = live.starts_at + timedelta(seconds=5)
    assert services.session_heartbeat(user=pw.member, session=live, visible=True, now=t) == 1
    assert (
        services.session_heartbeat(user=pw.member, session=live, visible=True, now=t + timedelta(seconds=20))
        == 1
    )
    assert (
        services.session_heartbeat(user=pw.member, session=live, visible=True, now=t + timedelta(seconds=60))
        == 2
    )


def test_credit_is_capped_by_the_session_length_and_its_time(pw, live):
    before = live.starts_at - timedelta(minutes=1)
    assert services.session_heartbeat(user=pw.member, session=live, visible=True, now=before) == 0
    t = live.starts_at
    for n in range(6):
        services.session_heartbeat(user=pw.member, session=live, visible=True, now=t + timedelta(minutes=n))
    assert Attendance.objects.get(session=live, user=pw.member).minutes == 3
    after = live.starts_at + timedelta(minutes=10)
    other = pw.secretary
    assert services.session_heartbeat(user=other, session=live, visible=True, now=after) == 0


def test_in_person_check_in_by_code(pw, client):
    course = services.course_create(actor=pw.committee, node=pw.world.sub_a, name="讲习所")
    session = services.session_create(
        actor=pw.committee,
        course=course,
        title="讲习",
        mode="in_person",
        starts_at=timezone.now(),
        minutes=45,
        place="党群服务中心",
    )
    with pytest.raises(PartyError):
        services.session_check_in(user=pw.member, session=session, code="wrong")
    row = services.session_check_in(user=pw.member, session=session, code=current_code(session.pk))
    row = services.session_check_in(user=pw.member, session=session, code=current_code(session.pk))
    assert (row.minutes, row.checked_in) == (45, True)
    minutes, _rows = selectors.my_study(fetched_by=pw.member, year=timezone.localtime(session.starts_at).year)
    assert minutes == 45
    # Staff's screen shows the QR code of the session page with the current code; scanning it lands the
    # member on the page with the code filled in.
    url = f"/party/sessions/{session.pk}/"
    client.force_login(pw.committee)
    page = client.get(url).content.decode()
    assert "<svg" in page and current_code(session.pk) in page
    assert "<svg" in client.get(f"{url}qr/").content.decode()
    client.force_login(pw.secretary)
    assert client.get(f"{url}qr/").status_code == 404
    landed = client.get(f"{url}?code={current_code(session.pk)}").content.decode()
    assert f'value="{current_code(session.pk)}"' in landed and "<svg" not in landed
    client.post(url, {"code": current_code(session.pk)})
    assert (
        selectors.my_study(fetched_by=pw.secretary, year=timezone.localtime(session.starts_at).year)[0] == 45
    )


def test_study_ledger_shows_who_is_behind(pw, live):
    services.session_heartbeat(user=pw.member, session=live, visible=True, now=live.starts_at)
    rows = selectors.study_ledger(fetched_by=pw.committee, year=timezone.localtime(live.starts_at).year)
    by_user = {r.user_id: r for r in rows}
    assert by_user[pw.member.pk].minutes == 1 and by_user[pw.member.pk].behind
    assert by_user[pw.secretary.pk].required_hours == 56 and by_user[pw.member.pk].required_hours == 32
    assert not selectors.study_ledger(fetched_by=pw.world.sub_b_admin, year=2026)


def test_community_secretary_sees_minutes_of_sessions_held_at_the_subdistrict(pw, live):
    """The 春训 is held at the subdistrict; a community secretary's ledger counts their members' minutes by the
    members' branch, not by the place of the session (which lies above the community)."""
    year = timezone.localtime(live.starts_at).year
    for n in range(2):
        services.session_heartbeat(
            user=pw.member, session=live, visible=True, now=live.starts_at + timedelta(minutes=n)
        )
    by_user = {r.user_id: r for r in selectors.study_ledger(fetched_by=pw.world.a1_secretary, year=year)}
    assert by_user[pw.member.pk].minutes == 2
    assert by_user[pw.secretary.pk].minutes == 0
    # Another community's staff see neither these members nor their minutes.
    assert pw.member.pk not in {
        r.user_id for r in selectors.study_ledger(fetched_by=pw.world.a2_staff, year=year)
    }


@pytest.mark.parametrize(
    ("mode", "url", "minutes"),
    [
        ("live", "http://insecure.example.org/x.m3u8", 60),
        ("live", "", 60),
        ("in_person", "", 0),
        ("in_person", "", 601),
    ],
)
def test_bad_sessions_are_refused(pw, mode, url, minutes):
    course = services.course_create(actor=pw.committee, node=pw.world.sub_a, name="课")
    with pytest.raises(PartyError):
        services.session_create(
            actor=pw.committee,
            course=course,
            title="x",
            mode=mode,
            starts_at=timezone.now(),
            minutes=minutes,
            stream_url=url,
        )
