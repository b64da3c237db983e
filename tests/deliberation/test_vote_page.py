"""The ballot page offers the choices only to those who can cast a ballot."""

import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Ballot, OwnedUnit


def _open_vote(world, delib):
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    meeting = services.meeting_schedule(
        actor=world.a1_staff,
        council=delib.council,
        title="会",
        starts_at=timezone.now() + timedelta(days=4),
        place="室",
    )
    services.agenda_add(actor=world.a1_staff, meeting=meeting, topic=topic)
    services.meeting_open(actor=world.a1_staff, meeting=meeting)
    for member in delib.members[:3]:
        services.attendance_mark(actor=world.a1_staff, meeting=meeting, member=member)
    return services.vote_open(
        actor=world.a1_staff, topic=topic, kind="yes_no", question="改造", meeting=meeting
    )


def test_a_figures_only_viewer_gets_no_ballot(world, delib, login):
    vote = _open_vote(world, delib)
    member_page = login(delib.chair).get(f"/deliberation/votes/{vote.pk}/")
    assert member_page.status_code == 200 and 'name="choice"' in member_page.content.decode()
    viewer_page = login(world.viewer).get(f"/deliberation/votes/{vote.pk}/")
    assert viewer_page.status_code == 200
    assert 'name="choice"' not in viewer_page.content.decode()
    assert "结果在表决结束后公布" in viewer_page.content.decode()


def test_an_owner_of_two_units_votes_once_for_each(world, delib, login, django_capture_on_commit_callbacks):
    """One owner, two flats: the page says so and offers the flat not yet voted; each flat's ballot counts
    its area, the owner counts once by head."""
    for number, area, owner in (
        ("1-101", 90, world.resident),
        ("3-601", 75, world.resident),
        ("1-102", 90, None),
    ):
        OwnedUnit.objects.create(
            node=world.cmp_a1a,
            number=number,
            area=Decimal(area),
            owner=owner,
            owner_name="张三" if owner else "李四",
            owner_key=f"user:{owner.pk}" if owner else "name:李四",
        )
    topic = services.topic_propose(actor=world.commissioner, council=delib.compound_council, title="换电梯")
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
        actor=world.commissioner, topic=topic, kind="owners", question="使用维修资金", compound=world.cmp_a1a
    )
    world.resident.set_phone("13800138000")
    world.resident.save()
    client = login(world.resident)
    url = reverse("deliberation:vote", args=[vote.pk])
    assert "获取验证码" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "code"})
    code = re.search(r"\d{6}", MemorySmsBackend.outbox[-1][1]).group()
    first, second = OwnedUnit.objects.filter(owner=world.resident).order_by("number")

    page = client.get(url).content.decode()
    # The code is on its way: the button offers to send it again.
    assert "重新发送验证码" in page and "获取验证码" not in page
    assert "您在本小区有 2 套房" in page
    assert f'<option value="{first.pk}" selected>' in page and "已投" not in page
    client.post(url, {"unit": first.pk, "choice": "agree", "code": code})
    page = client.get(url).content.decode()
    assert f'<option value="{second.pk}" selected>' in page
    assert re.search(r"1-101（90\.00 m²） · 已投", page)
    client.post(url, {"unit": second.pk, "choice": "disagree"})
    assert dict(Ballot.objects.filter(vote=vote).values_list("unit__number", "choice")) == {
        "1-101": "agree",
        "3-601": "disagree",
    }
    result = services.vote_close(actor=world.commissioner, vote=vote).result
    assert result["voted_owners"] == 1 and result["total_owners"] == 2
    assert result["voted_area"] == "165.00" and result["total_area"] == "255.00"
