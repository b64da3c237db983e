"""Deliberation end to end through the services: composition, topics from appeals and proposals, meetings
with quorum, votes, minutes with public notice, decisions carried out to the appeal resolved and rated."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.appeals.models import Appeal
from gongzhi.core.background import background_status
from gongzhi.core.errors import ServiceError
from gongzhi.core.excel import ImportRejected
from gongzhi.core.roles import Role
from gongzhi.core.workdays import SHANGHAI
from gongzhi.deliberation import checkin, selectors, services
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import (
    ActionItem,
    Attendance,
    Ballot,
    Meeting,
    OwnedUnit,
    Seat,
    Topic,
    TopicEvent,
    TopicStatus,
)
from gongzhi.deliberation.tasks import REMINDERS, reminders
from gongzhi.notifications.models import Notification
from gongzhi.venues.models import Booking, Space, SpaceKind, Venue, VenueLevel
from tests.accounts.factories import UserFactory, bind

pytestmark = pytest.mark.django_db


def test_three_plus_x_is_checked_when_members_change(world, delib):
    assert services.composition_problems([m.seat for m in delib.council.members.all()], "3+x") == []
    property_manager = delib.council.members.get(seat=Seat.PROPERTY_MANAGER)
    with pytest.raises(DeliberationError) as refused:
        services.council_member_remove(actor=world.a1_staff, member=property_manager)
    assert refused.value.code == "composition"
    assert delib.council.members.filter(pk=property_manager.pk).exists()
    # A second property manager, then one of them may go.
    services.council_member_add(
        actor=world.a1_staff, council=delib.council, name="物业二", seat=Seat.PROPERTY_MANAGER
    )
    services.council_member_remove(actor=world.a1_staff, member=property_manager)


def test_only_those_running_the_council_change_members(world, delib):
    for outsider in (world.a2_staff, world.resident, world.viewer):
        with pytest.raises(DeliberationError) as refused:
            services.council_member_add(actor=outsider, council=delib.council, name="某", seat=Seat.OTHER)
        assert refused.value.status == 403


def test_an_appeal_becomes_a_topic_in_one_step_and_its_filer_is_told(world, delib):
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    assert topic.status == TopicStatus.ACCEPTED and topic.appeal_id == delib.appeal.pk
    appeal = Appeal.objects.get(pk=delib.appeal.pk)
    assert appeal.status == "accepted"
    assert appeal.events.filter(action="comment", note__contains=str(topic.pk)).exists()
    assert Notification.objects.filter(recipient=world.resident, kind="topic_from_appeal").exists()
    with pytest.raises(DeliberationError) as again:
        services.topic_from_appeal(actor=world.a1_staff, appeal=appeal, council=delib.council)
    assert again.value.code == "already_topic"


def test_staff_of_another_community_cannot_take_the_appeal(world, delib):
    with pytest.raises(DeliberationError) as refused:
        services.topic_from_appeal(actor=world.a2_staff, appeal=delib.appeal, council=delib.council)
    assert refused.value.status == 403
    assert not Topic.objects.exists()


def _households(world, n):
    people = []
    for i in range(n):
        user = UserFactory(username=f"hh{i}")
        bind(user, Role.RESIDENT, world.cmp_a1b)
        people.append(user)
    return people


def test_a_proposal_needs_the_support_of_distinct_households(world, delib):
    topic = services.topic_propose(
        actor=world.resident, council=delib.compound_council, title="增设电动车充电桩"
    )
    assert topic.source == "proposal" and topic.support_count == 1 and topic.support_needed == 3
    with pytest.raises(DeliberationError) as early:
        services.topic_transition(actor=world.commissioner, topic=topic, action="accept")
    assert early.value.code == "support_needed"
    with pytest.raises(DeliberationError) as twice:
        services.topic_support(actor=world.resident, topic=topic)
    assert twice.value.code == "already_supported"
    # A resident of the same compound in the register's same room is the same household.
    same_home = UserFactory(username="same-home")
    bind(same_home, Role.RESIDENT, world.cmp_a1a)
    world.p_a1a.room = "1-101"
    world.p_a1a.save(update_fields=["room"])
    other = world.p_a1b
    other.node, other.room, other.user = world.bld_a1a, "1-101", same_home
    other.save(update_fields=["node", "room", "user"])
    topic2 = services.topic_propose(
        actor=world.resident, council=delib.compound_council, title="楼道加装扶手"
    )
    with pytest.raises(DeliberationError):
        services.topic_support(actor=same_home, topic=topic2)
    # Two more households: enough.
    neighbours = [UserFactory(username=f"n{i}") for i in range(2)]
    for n in neighbours:
        bind(n, Role.RESIDENT, world.cmp_a1a)
        topic = services.topic_support(actor=n, topic=topic)
    assert topic.support_count == 3
    services.topic_transition(actor=world.commissioner, topic=topic, action="accept")


def test_a_resident_elsewhere_neither_sees_nor_supports(world, delib):
    topic = services.topic_propose(
        actor=world.resident, council=delib.compound_council, title="增设电动车充电桩"
    )
    stranger = UserFactory(username="b-resident")
    bind(stranger, Role.RESIDENT, world.cmp_b1a)
    with pytest.raises(Http404):
        selectors.topic_get(fetched_by=stranger, pk=topic.pk)
    with pytest.raises(DeliberationError) as refused:
        services.topic_support(actor=stranger, topic=topic)
    assert refused.value.status == 403


def test_decline_needs_a_public_reason(world, delib):
    topic = services.topic_propose(actor=world.commissioner, council=delib.compound_council, title="拆除围墙")
    with pytest.raises(DeliberationError) as missing:
        services.topic_transition(actor=world.commissioner, topic=topic, action="decline", note=" ")
    assert missing.value.status == 422
    services.topic_transition(
        actor=world.commissioner, topic=topic, action="decline", note="涉及消防通道，需另行研究"
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DECLINED and topic.decline_reason.startswith("涉及消防")


def test_a_topic_moves_up_to_the_community_council_with_a_reason(world, delib):
    topic = services.topic_propose(
        actor=world.commissioner, council=delib.compound_council, title="地下车库渗漏"
    )
    with pytest.raises(DeliberationError):  # not a higher council
        services.topic_transition(
            actor=world.commissioner, topic=topic, action="escalate", council=delib.compound_council, note="x"
        )
    services.topic_transition(
        actor=world.commissioner, topic=topic, action="escalate", council=delib.council, note="需要维修资金"
    )
    topic.refresh_from_db()
    assert topic.council_id == delib.council.pk and topic.node_id == world.comm_a1.pk
    assert topic.status == TopicStatus.PROPOSED
    assert TopicEvent.objects.filter(topic=topic, action="escalate", note="需要维修资金").exists()


def _meeting(world, delib, *, days=5):
    return services.meeting_schedule(
        actor=world.a1_staff,
        council=delib.council,
        title="百姓圆桌会",
        starts_at=timezone.now() + timedelta(days=days),
        place="社区会议室",
    )


def test_notice_is_checked(world, delib):
    with pytest.raises(DeliberationError) as short:
        _meeting(world, delib, days=1)
    assert short.value.fields == {"starts_at": [str(short.value.message)]}
    meeting = _meeting(world, delib)
    assert Notification.objects.filter(recipient=delib.chair, kind="meeting_notice").exists()
    assert meeting.status == "scheduled"


def test_the_green_belt_from_appeal_to_rating(world, delib):
    # Given the appeal taken to the council and a meeting in session.
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    meeting = _meeting(world, delib)
    services.agenda_add(actor=world.a1_staff, meeting=meeting, topic=topic)
    services.meeting_open(actor=world.a1_staff, meeting=meeting)
    topic.refresh_from_db()
    # No quorum yet: 1 of 4 present.
    services.attendance_mark(actor=world.a1_staff, meeting=meeting, member=delib.members[0])
    with pytest.raises(DeliberationError) as no_quorum:
        services.vote_open(
            actor=world.a1_staff, topic=topic, kind="yes_no", question="移栽部分灌木", meeting=meeting
        )
    assert no_quorum.value.code == "no_quorum"
    # Two more: 3 of 4 is more than half.
    services.attendance_mark(actor=world.a1_staff, meeting=meeting, member=delib.members[1])
    services.attendance_mark(actor=delib.police, meeting=meeting, member=delib.members[3])  # signs in himself
    assert services.quorum(meeting)["reached"]
    vote = services.vote_open(
        actor=world.a1_staff, topic=topic, kind="yes_no", question="移栽部分灌木", meeting=meeting
    )
    services.ballot_cast(actor=delib.chair, vote=vote, choice="agree")
    services.ballot_cast(actor=world.resident, vote=vote, choice="disagree")
    services.ballot_cast(actor=world.resident, vote=vote, choice="agree")  # replaces the first
    services.ballot_cast(actor=delib.police, vote=vote, choice="abstain")
    absent = UserFactory(username="absent")
    with pytest.raises(DeliberationError) as not_present:
        services.ballot_cast(actor=absent, vote=vote, choice="agree")
    assert not_present.value.status == 403
    assert selectors.vote_result(vote) is None  # hidden until closed
    vote = services.vote_close(actor=world.a1_staff, vote=vote)
    assert vote.result["agree"] == 2 and vote.result["abstain"] == 1 and vote.result["passed"]
    with pytest.raises(DeliberationError):
        services.ballot_cast(actor=delib.chair, vote=vote, choice="disagree")
    services.topic_transition(
        actor=world.a1_staff, topic=topic, action="decide", decision="移栽三株香樟，修剪其余灌木"
    )
    services.meeting_close(actor=world.a1_staff, meeting=meeting)
    # The chair approves the minutes; staff may not in the chair's place.
    with pytest.raises(DeliberationError) as not_chair:
        services.minutes_approve(actor=world.a1_staff, meeting=meeting)
    assert not_chair.value.status == 403
    services.minutes_approve(actor=delib.chair, meeting=meeting)
    services.minutes_publish(actor=world.a1_staff, meeting=meeting)
    assert meeting.notice_until - meeting.published_at == timedelta(days=7)
    services.minutes_object(actor=world.resident, meeting=meeting, body="希望保留桂花树")
    with time_machine.travel(timezone.now() + timedelta(days=6)), pytest.raises(DeliberationError):
        services.minutes_object(actor=world.resident, meeting=meeting, body="过了期限")
    # Carried out: two items; the last done finishes the topic and resolves the appeal.
    topic.refresh_from_db()
    due = timezone.localdate() + timedelta(days=14)
    first = services.action_add(
        actor=world.a1_staff, topic=topic, title="移栽香樟", owner_name="物业公司", due=due
    )
    second = services.action_add(
        actor=world.a1_staff, topic=topic, title="灭蚊消杀", owner_name="社区", due=due
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.IN_PROGRESS
    services.action_progress(actor=world.a1_staff, item=first, progress=100, note="已移栽")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.IN_PROGRESS
    services.action_progress(actor=world.a1_staff, item=second, progress=100, note="已消杀")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DONE
    appeal = Appeal.objects.get(pk=delib.appeal.pk)
    assert appeal.status == "resolved" and "移栽三株香樟" in appeal.reply
    # The residents rate: the topic (群众评议) and the appeal under its own rules.
    services.topic_rate(actor=world.resident, topic=topic, score=5, comment="终于见阳光了")
    assert selectors.topic_rating(topic) == {"average": 5, "count": 1}
    with pytest.raises(DeliberationError):
        services.topic_rate(actor=world.resident, topic=topic, score=4)
    with pytest.raises(DeliberationError):
        services.topic_rate(actor=world.a1_staff, topic=topic, score=5)


def test_ranked_choice_at_a_meeting(world, delib):
    topic = services.topic_propose(actor=world.a1_staff, council=delib.council, title="垃圾分类点位")
    services.topic_transition(actor=world.a1_staff, topic=topic, action="accept")
    meeting = _meeting(world, delib)
    services.agenda_add(actor=world.a1_staff, meeting=meeting, topic=topic)
    services.meeting_open(actor=world.a1_staff, meeting=meeting)
    for m in delib.members:
        services.attendance_mark(actor=world.a1_staff, meeting=meeting, member=m)
    with pytest.raises(DeliberationError):
        services.vote_open(
            actor=world.a1_staff,
            topic=topic,
            kind="ranked",
            question="选点位",
            meeting=meeting,
            options=["A"],
        )
    vote = services.vote_open(
        actor=world.a1_staff,
        topic=topic,
        kind="ranked",
        question="选点位",
        meeting=meeting,
        options=["东门", "北门", "中心花园"],
    )
    with pytest.raises(DeliberationError):
        services.ballot_cast(actor=delib.chair, vote=vote, choice=[0, 0])
    services.ballot_cast(actor=delib.chair, vote=vote, choice=[0, 1, 2])
    services.ballot_cast(actor=world.resident, vote=vote, choice=[1, 2])
    services.ballot_cast(actor=delib.police, vote=vote, choice=[2, 1])
    result = services.vote_close(actor=world.a1_staff, vote=vote).result
    # Round 1: 1/1/1; 中心花园 and 北门 tie with 东门 → the one listed last (中心花园) goes; its ballot → 北门.
    assert result["rounds"][0] == [1, 1, 1] and result["winner"] == 1


def _units_file(rows, header=("房号", "面积", "业主")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    out.name = "units.xlsx"
    book.save(out)
    out.seek(0)
    return out


def test_owned_units_from_the_shared_import_page_all_or_nothing(world, client):
    """The register of units on the import page: each row names its compound; a bad row imports nothing."""
    client.force_login(world.a1_staff)
    url = reverse("core:imports")
    assert "小区编码, 房号, 面积, 业主" in client.get(url).content.decode()
    a1a, b1a = world.cmp_a1a.code, world.cmp_b1a.code
    bad = _units_file(
        [
            (a1a, "1-101", 90, "张三"),
            (b1a, "1-102", 90, "李四"),
            (a1a, "1-101", 80, "王五"),
            (a1a, "1-103", 0, "赵六"),
        ],
        header=["小区编码", "房号", "面积", "业主"],
    )
    response = client.post(url, {"kind": "owned_units", "file": bad})
    page = response.content.decode()
    assert response.status_code == 400 and not OwnedUnit.objects.exists()
    for row, message in [
        (3, "您辖区内没有此编码的小区"),
        (4, "与第 2 行是同一房号"),
        (5, "请填写面积（平方米，0.01–100000）"),
    ]:
        assert message in page, (row, message)
    good = _units_file(
        [(a1a, "1-101", 90, "张三"), (world.cmp_a1b.code, "1-101", 75.5, "李四")],
        header=["小区编码", "房号", "面积", "业主"],
    )
    assert client.post(url, {"kind": "owned_units", "file": good}).status_code == 302
    assert sorted(OwnedUnit.objects.values_list("node__name", "area")) == [
        ("小区A1a", Decimal("90.00")),
        ("小区A1b", Decimal("75.50")),
    ]


def test_owners_vote_online_proxy_and_replaced(world, delib, client, django_capture_on_commit_callbacks):
    with pytest.raises(ImportRejected):
        services.owned_units_import(
            actor=world.commissioner, compound=world.cmp_a1a, source=_units_file([("1-101", "九十", "张三")])
        )
    assert not OwnedUnit.objects.exists()
    count = services.owned_units_import(
        actor=world.commissioner,
        compound=world.cmp_a1a,
        source=_units_file([("1-101", 90, "张三"), ("1-102", 90, "李四"), ("1-201", 120, "王五")]),
    )
    assert count == 3
    OwnedUnit.objects.filter(number="1-101").update(owner=world.resident)
    topic = services.topic_propose(
        actor=world.commissioner, council=delib.compound_council, title="使用维修资金修屋面"
    )
    services.topic_transition(actor=world.commissioner, topic=topic, action="accept")
    meeting = services.meeting_schedule(
        actor=world.commissioner,
        council=delib.compound_council,
        title="业主大会",
        starts_at=timezone.now() + timedelta(days=4),
        place="小区广场",
    )
    services.agenda_add(actor=world.commissioner, meeting=meeting, topic=topic)
    vote = services.vote_open(
        actor=world.commissioner,
        topic=topic,
        kind="owners",
        question="使用维修资金",
        major=True,
        compound=world.cmp_a1a,
    )
    mine = OwnedUnit.objects.get(number="1-101")
    theirs = OwnedUnit.objects.get(number="1-102")
    with pytest.raises(DeliberationError) as not_owner:
        services.ballot_cast(actor=world.resident, vote=vote, choice="agree", unit=theirs)
    assert not_owner.value.status == 403
    with pytest.raises(DeliberationError) as no_code:  # online: only after the SMS code
        services.ballot_cast(actor=world.resident, vote=vote, choice="agree", unit=mine)
    assert no_code.value.fields == {"code": [str(no_code.value.message)]}
    # On the vote page: a code to the owner's mobile, a wrong code refused, the right one lets them vote
    # (and change their vote) for a while.
    world.resident.set_phone("13800138000")
    world.resident.save()
    client.force_login(world.resident)
    url = reverse("deliberation:vote", args=[vote.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the SMS leaves once the code is stored
        client.post(url, {"action": "code"})
    ((phone, sms),) = MemorySmsBackend.outbox
    assert phone == "13800138000"
    code = re.search(r"\d{6}", sms).group()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page = client.post(url, {"unit": mine.pk, "choice": "disagree", "code": wrong}, follow=True)
    assert "验证码错误或已过期" in page.content.decode() and not Ballot.objects.filter(vote=vote).exists()
    client.post(url, {"unit": mine.pk, "choice": "disagree", "code": code})
    client.post(url, {"unit": mine.pk, "choice": "agree"})  # replaces, within the same sitting
    assert list(Ballot.objects.filter(vote=vote).values_list("choice", flat=True)) == ["agree"]
    # The sitting's one-statement ballot writes only the owner's own unit (another's falls through, refused).
    client.post(url, {"unit": theirs.pk, "choice": "agree"})
    assert not Ballot.objects.filter(vote=vote, unit=theirs).exists()
    with pytest.raises(DeliberationError):  # a proxy needs a name
        services.ballot_cast(
            actor=world.commissioner, vote=vote, choice="agree", unit=theirs, channel="proxy"
        )
    services.ballot_cast(
        actor=world.commissioner,
        vote=vote,
        choice="agree",
        unit=theirs,
        channel="proxy",
        proxy_name="李四之子",
    )
    with pytest.raises(DeliberationError):  # a resident cannot enter paper ballots
        services.ballot_cast(actor=world.resident, vote=vote, choice="agree", unit=theirs, channel="paper")
    assert Ballot.objects.filter(vote=vote).count() == 2
    result = services.vote_close(actor=world.commissioner, vote=vote).result
    # 2 of 3 owners (exactly 2/3) with 180 of 300 m² (60% < 2/3): no valid vote.
    assert result["voted_owners"] == 2 and result["voted_area"] == "180.00"
    assert not result["participation_ok"] and not result["approved"]
    assert result["by_channel"] == {"online": 1, "proxy": 1}
    closed = client.post(
        url, {"unit": mine.pk, "choice": "disagree"}, follow=True
    )  # same sitting, closed vote
    assert "表决已结束" in closed.content.decode()
    assert Ballot.objects.get(vote=vote, unit=mine).choice == "agree"


def test_action_items_are_reminded_when_overdue(world, delib):
    topic = services.topic_propose(actor=world.a1_staff, council=delib.council, title="自行车棚")
    services.topic_transition(actor=world.a1_staff, topic=topic, action="accept")
    meeting = _meeting(world, delib)
    services.agenda_add(actor=world.a1_staff, meeting=meeting, topic=topic)
    services.topic_transition(actor=world.a1_staff, topic=topic, action="decide", decision="建车棚")
    item = services.action_add(
        actor=world.a1_staff,
        topic=topic,
        title="搭建车棚",
        owner_name="物业",
        due=timezone.localdate() + timedelta(days=3),
    )
    assert services.decision_reminders() == 0
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        assert reminders.call_local() == 1  # the daily periodic task, under its lease
        assert services.decision_reminders() == 0  # once a day
        assert background_status()[REMINDERS.name]["minutes_ago"] == 0  # watched: /healthz shows its run
    assert Notification.objects.filter(recipient=delib.chair, kind="action_overdue").exists()
    with pytest.raises(DeliberationError):
        services.action_progress(actor=world.resident, item=item, progress=50)
    with pytest.raises(DeliberationError):
        services.action_progress(actor=world.a1_staff, item=item, progress=101)
    assert ActionItem.objects.get(pk=item.pk).progress == 0


def test_a_meeting_books_a_room_clashes_are_refused_and_members_sign_in_by_qr(world, delib, client):
    venue = Venue.objects.create(
        node=world.sub_a,
        name="街道A党群服务中心",
        level=VenueLevel.SUBDISTRICT_CENTRE,
        lat=30.3,
        lng=120.15,
        opens_at=time(8, 30),
        closes_at=time(20, 30),
    )
    room = Space.objects.create(
        venue=venue, name="议事协商室", kind=SpaceKind.DELIBERATION, capacity=20, needs_approval=False
    )
    starts = datetime.combine(timezone.localdate() + timedelta(days=5), time(19, 0), SHANGHAI)
    first, second = (
        services.meeting_schedule(
            actor=world.a1_staff, council=delib.council, title=title, starts_at=starts, place="待定"
        )
        for title in ("百姓圆桌会", "月月谈")
    )
    services.meeting_book_venue(
        actor=world.a1_staff, meeting=first, space=room, ends_at=starts + timedelta(hours=1)
    )
    booking = Booking.objects.get(pk=Meeting.objects.get(pk=first.pk).venue_booking_id)
    assert booking.space == room and booking.starts_at == starts and booking.status == "confirmed"
    assert Meeting.objects.get(pk=first.pk).place == "街道A党群服务中心 议事协商室"
    with pytest.raises(ServiceError) as clash:  # the same room at the same time: the venues refuse it
        services.meeting_book_venue(actor=world.a1_staff, meeting=second, space=room)
    assert clash.value.status == 409 and Booking.objects.count() == 1
    assert Meeting.objects.filter(pk=second.pk, venue_booking_id=None, place="待定").exists()

    # QR sign-in: the secretary's screen shows the code; a member's phone signs in with it.
    client.force_login(world.a1_staff)
    assert "<svg" in client.get(reverse("deliberation:meeting_qr", args=[first.pk])).content.decode()
    client.force_login(world.resident)  # a member, not one who runs the meeting
    assert client.get(reverse("deliberation:meeting_qr", args=[first.pk])).status_code == 404
    client.force_login(delib.chair)
    url = reverse("deliberation:sign_in", args=[first.pk, checkin.token_for(first.pk)])
    assert client.post(url).status_code == 302
    assert Attendance.objects.filter(meeting=first, member__user=delib.chair).exists()
    stale = checkin.token_for(first.pk, now=timezone.now() - timedelta(minutes=2))
    for token in (stale, checkin.token_for(second.pk), "1-2-x"):
        with pytest.raises(DeliberationError):
            services.meeting_sign_in(actor=delib.police, meeting=first, token=token)
    with pytest.raises(DeliberationError) as outsider:
        services.meeting_sign_in(actor=world.a2_staff, meeting=first, token=checkin.token_for(first.pk))
    assert outsider.value.status == 403
    assert services.quorum(first)["present"] == 1


def test_moving_or_cancelling_a_meeting_moves_or_cancels_its_room_booking(world, delib, api_login):
    venue = Venue.objects.create(
        node=world.sub_a,
        name="街道A党群服务中心",
        level=VenueLevel.SUBDISTRICT_CENTRE,
        lat=30.3,
        lng=120.15,
        opens_at=time(8, 30),
        closes_at=time(20, 30),
    )
    room = Space.objects.create(
        venue=venue, name="议事协商室", kind=SpaceKind.DELIBERATION, capacity=20, needs_approval=False
    )
    day = timezone.localdate() + timedelta(days=5)
    while day.weekday() >= 5:  # a workday: the centre is closed on rest days
        day += timedelta(days=1)
    at = lambda d, h, m=0: datetime.combine(d, time(h, m), SHANGHAI)  # noqa: E731
    first = services.meeting_schedule(
        actor=world.a1_staff, council=delib.council, title="百姓圆桌会", starts_at=at(day, 18), place="待定"
    )
    services.meeting_book_venue(actor=world.a1_staff, meeting=first, space=room, ends_at=at(day, 19))
    second = services.meeting_schedule(
        actor=world.a1_staff, council=delib.council, title="月月谈", starts_at=at(day, 19), place="待定"
    )
    services.meeting_book_venue(actor=world.a1_staff, meeting=second, space=room, ends_at=at(day, 20))
    old_first = Meeting.objects.get(pk=first.pk).venue_booking_id

    # A move onto the other meeting's room time is refused by the venues and changes nothing.
    with pytest.raises(ServiceError) as clash:
        services.meeting_move(actor=world.a1_staff, meeting=first, starts_at=at(day, 18, 30))
    assert clash.value.status == 409
    kept = Meeting.objects.get(pk=first.pk)
    assert kept.starts_at == at(day, 18) and kept.venue_booking_id == old_first
    assert Booking.objects.get(pk=old_first).status == "confirmed" and Booking.objects.count() == 2

    # A move by half an hour (overlapping its own booking) moves the booking: a new one, the old cancelled.
    services.meeting_move(actor=world.a1_staff, meeting=second, starts_at=at(day, 19, 30))
    moved = Meeting.objects.get(pk=second.pk)
    new = Booking.objects.get(pk=moved.venue_booking_id)
    assert moved.starts_at == at(day, 19, 30) and (new.starts_at, new.ends_at) == (
        at(day, 19, 30),
        at(day, 20, 30),
    )
    assert new.status == "confirmed" and new.space == room
    assert Booking.objects.filter(status="confirmed").count() == 2
    assert (
        Notification.objects.filter(
            recipient=delib.chair, title__contains="月月谈", kind="meeting_notice"
        ).count()
        == 2
    )

    # Cancelling through the API: a reason is needed; the booking is cancelled, the agenda's topic freed.
    topic = services.topic_propose(actor=world.a1_staff, council=delib.council, title="绿化带")
    services.topic_transition(actor=world.a1_staff, topic=topic, action="accept")
    services.agenda_add(actor=world.a1_staff, meeting=first, topic=topic)
    api = api_login(world.a1_staff)
    url = f"/api/v1/meetings/{first.pk}/cancel"
    assert (
        api_login(world.resident).post(url, {"reason": "台风"}, content_type="application/json").status_code
        == 403
    )
    assert api.post(url, {"reason": "  "}, content_type="application/json").status_code == 422
    assert Meeting.objects.get(pk=first.pk).status == "scheduled"
    response = api.post(url, {"reason": "台风预警，改期另行通知"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=old_first).status == "cancelled"
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.status == TopicStatus.ACCEPTED and topic.meeting_id is None
    again = api.post(
        f"/api/v1/meetings/{first.pk}/move",
        {"starts_at": at(day, 9).isoformat()},
        content_type="application/json",
    )
    assert again.status_code == 409 and Meeting.objects.get(pk=first.pk).starts_at == at(day, 18)
    assert Booking.objects.filter(status="confirmed").count() == 1


def test_a_member_sees_absent_only_after_the_meeting_and_nothing_for_a_cancelled_one(world, delib, login):
    """A member (not running the meeting) sees who has not signed in as "未签到" before and during the
    meeting, "缺勤" once it is closed; a cancelled meeting takes no attendance (no quorum, nobody absent)."""
    at = timezone.now() + timedelta(days=delib.council.notice_days + 1)
    meetings = [
        services.meeting_schedule(
            actor=world.a1_staff, council=delib.council, title=f"议事会{n}", starts_at=at, place="社区会议室"
        )
        for n in range(3)
    ]
    held, cancelled, coming = meetings
    services.meeting_open(actor=world.a1_staff, meeting=held)
    services.attendance_mark(actor=world.a1_staff, meeting=held, member=delib.members[0])
    member = login(world.resident)  # 业委会's seat: a member, not running the meeting
    page = member.get(reverse("deliberation:meeting", args=[held.pk])).content.decode()
    assert "未签到" in page and "缺勤" not in page  # in session: not signed in yet
    services.meeting_close(actor=world.a1_staff, meeting=held)
    page = member.get(reverse("deliberation:meeting", args=[held.pk])).content.decode()
    assert page.count("缺勤") == 3 and "未签到" not in page  # 3 of the 4 did not come
    services.meeting_cancel(actor=world.a1_staff, meeting=cancelled, reason="台风")
    page = member.get(reverse("deliberation:meeting", args=[cancelled.pk])).content.decode()
    assert "会议已取消，不记考勤" in page and "缺勤" not in page and "未签到" not in page
    assert "法定人数" not in page
    page = member.get(reverse("deliberation:meeting", args=[coming.pk])).content.decode()
    assert page.count("未签到") == 4 and "缺勤" not in page
