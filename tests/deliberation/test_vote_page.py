"""The ballot page offers the choices only to those who can cast a ballot."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.deliberation import services


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
