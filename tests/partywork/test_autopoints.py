"""Member points proposed from what the platform saw: volunteer hours, services an in-service member gave
where they live (在职党员到小区报到), and neighbours' wishes they fulfilled (亮身份·开门一件事); one line per
record, proposed once, counted only after someone else approves; the page says what was proposed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.partywork import services
from gongzhi.partywork.autopoints import points_auto
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import (
    EntryStatus,
    MemberPointsEntry,
    MemberPointsRule,
    PointsKind,
    PointsSource,
)
from gongzhi.volunteering.models import Activity, Signup, SignupStatus
from gongzhi.wishes.models import Wish, WishStatus

pytestmark = pytest.mark.django_db


def _rule(world, code, source, points, cap=None):
    return MemberPointsRule.objects.create(
        node=world.sub_a,
        code=code,
        name=code,
        kind=PointsKind.ITEM,
        points=points,
        monthly_cap=cap,
        source=source,
    )


def _service(world, user, node, hours="2", confirmed=True, days_ago=0):
    now = timezone.now() - timedelta(days=days_ago)
    activity = Activity.objects.create(
        node=node,
        organiser=world.a1_staff,
        title=f"服务@{node.name}",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        capacity=5,
    )
    return Signup.objects.create(
        activity=activity,
        user=user,
        status=SignupStatus.CONFIRMED,
        hours=Decimal(hours) if confirmed else None,
        confirmed_at=now if confirmed else None,
        confirmed_by=world.a1_staff if confirmed else None,
    )


def _wish(world, claimant, status=WishStatus.FULFILLED):
    return Wish.objects.create(
        node=world.cmp_a1a, wisher_name="李四", posted_by=world.a1_staff, title="帮忙修门锁", status=status,
        claimant=claimant, fulfilled_at=timezone.now() if status == WishStatus.FULFILLED else None,
    )  # fmt: skip


def test_the_platforms_records_become_proposed_lines_once_each_and_count_after_approval(pw, world, client):
    month = timezone.localdate().replace(day=1)
    report = _rule(world, "report-in", PointsSource.REPORT_IN, 5, cap=10)
    door = _rule(world, "open-door", PointsSource.OPEN_DOOR, 3)
    hours = _rule(world, "hours", PointsSource.VOLUNTEER_HOURS, 1)
    pw.member_m.in_service = True
    pw.member_m.save(update_fields=["in_service"])
    # The member lives in 楼A1a-1 of 小区A1a: two services there count for 报到, one in another compound does
    # not, nor one the organiser has not confirmed; all confirmed hours (2 + 2 + 3) count for hours.
    home = [_service(world, pw.member, world.bld_a1a), _service(world, pw.member, world.cmp_a1a)]
    _service(world, pw.member, world.cmp_a2a, hours="3")
    _service(world, pw.member, world.cmp_a1a, confirmed=False)
    fulfilled = _wish(world, pw.member)
    _wish(world, pw.member, status=WishStatus.CLAIMED)  # not fulfilled yet
    _wish(world, pw.secretary)  # the secretary's own wish fulfilled: not the member's

    result = points_auto(actor=pw.secretary, branch=pw.branch, month=month)

    lines = MemberPointsEntry.objects.filter(membership=pw.member_m).order_by("rule_id", "source_ref")
    got = {(e.rule_id, e.source_ref, e.points) for e in lines}
    assert got == {
        (report.pk, f"signup:{home[0].pk}", 5),
        (report.pk, f"signup:{home[1].pk}", 5),
        (door.pk, f"wish:{fulfilled.pk}", 3),
        (hours.pk, "volunteering:7", 7),
    }
    assert all(e.status == EntryStatus.PROPOSED and e.proposed_by == pw.secretary for e in lines)
    # The secretary's own fulfilled wish is theirs (proposed for them), nothing else of theirs.
    assert MemberPointsEntry.objects.filter(membership=pw.secretary_m, rule=door).count() == 1
    assert result.proposed == 5 and result.already == 0 and result.missing_rules == []

    # Again: nothing new, nothing doubled; a third service where they live meets the rule's cap of 10.
    _service(world, pw.member, world.cmp_a1a)
    again = points_auto(actor=pw.secretary, branch=pw.branch, month=month)
    # Proposed: the 2 new hours; capped: the third service; found again: two services and two wishes.
    assert again.proposed == 1 and again.capped == 1 and again.already == 4
    assert MemberPointsEntry.objects.filter(membership=pw.member_m, rule=report).count() == 2

    # Four eyes: the proposer cannot approve; the committee can, and only then do the points count.
    entry = lines.filter(rule=door).get()
    with pytest.raises(PartyError):
        services.points_decide(actor=pw.secretary, entry=entry, approve=True)
    assert (
        services.points_decide(actor=pw.committee, entry=entry, approve=True).status == EntryStatus.APPROVED
    )


def test_only_the_branchs_secretary_or_staff_propose_and_the_page_names_missing_rules(pw, world, client):
    month = timezone.localdate().replace(day=1)
    with pytest.raises(PartyError) as refused:
        points_auto(actor=pw.member, branch=pw.branch, month=month)
    assert refused.value.status == 403
    with pytest.raises(PartyError):
        points_auto(actor=world.sub_b_admin, branch=pw.branch, month=month)
    assert not MemberPointsEntry.objects.exists()

    _wish(world, pw.member)
    _rule(world, "open-door", PointsSource.OPEN_DOOR, 3)
    client.force_login(pw.secretary)
    page = client.post(
        f"/party/points/branch/{pw.branch.pk}/", {"action": "auto", "month": "this"}, follow=True
    ).content.decode()
    assert "的 1 条积分" in page
    assert "街道尚未设置以下积分细则" in page and "在职党员到小区报到服务（志愿服务）" in page
    assert MemberPointsEntry.objects.filter(membership=pw.member_m).count() == 1
