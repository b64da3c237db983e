"""Rotation weeks: a fair round robin on the working-day calendar; swaps asked, agreed and approved."""

from datetime import date, timedelta

import pytest

from gongzhi.core.roles import Role
from gongzhi.venues import services
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import SwapStatus
from gongzhi.venues.rotations import schedule
from tests.accounts.factories import UserFactory, bind
from tests.venues.conftest import at, next_weekday

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_round_robin_shares_working_days_fairly_across_golden_week():
    # 2025: Sunday 9月28日 worked; 10月1–8日 off; Saturday 10月11日 worked. Each week goes to the member with
    # the fewest working days so far, so the one landing on the short holiday weeks gets another turn.
    weeks = schedule([1, 2, 3], date(2025, 9, 15), date(2025, 10, 26), excluded=set(), overrides={})
    assert [(str(w), o, d) for w, o, d in weeks] == [
        ("2025-09-15", 1, 5),
        ("2025-09-22", 2, 6),  # Sunday 9月28日 is worked
        ("2025-09-29", 3, 2),  # 9月29–30日 only
        ("2025-10-06", 3, 3),  # 10月9–10日 and Saturday 10月11日: member 3 is still behind
        ("2025-10-13", 1, 5),  # 1 and 3 have 5 days each; 1 has had fewer weeks
        ("2025-10-20", 3, 5),
    ]
    totals = {m: sum(d for _w, o, d in weeks if o == m) for m in (1, 2, 3)}
    assert max(totals.values()) - min(totals.values()) <= 5


def test_excluded_weeks_are_skipped():
    weeks = schedule([1, 2], date(2025, 3, 3), date(2025, 3, 23), excluded={date(2025, 3, 10)}, overrides={})
    assert [str(w) for w, _o, _d in weeks] == ["2025-03-03", "2025-03-17"]


def test_rotation_swap_workflow(world, centre):
    rotation = services.rotation_create(
        actor=world.sub_admin,
        venue=centre,
        name="轮值表",
        starts_on=date(2030, 3, 4),
        ends_on=date(2030, 3, 31),
        members=[world.comm_a1, world.comm_a2],
    )
    weeks = list(rotation.weeks.order_by("week_of"))
    assert [w.owner for w in weeks] == [world.comm_a1, world.comm_a2, world.comm_a1, world.comm_a2]
    mine, theirs = weeks[0], weeks[1]
    # Only the week's owner may offer it; the owner plans it.
    with pytest.raises(VenueError):
        services.swap_request(actor=world.a2_staff, week=mine, other=theirs)
    services.week_plan(actor=world.a1_staff, week=mine, plan="红色电影周")
    with pytest.raises(VenueError):
        services.week_plan(actor=world.a2_staff, week=mine, plan="x")
    swap = services.swap_request(actor=world.a1_staff, week=mine, other=theirs)
    with pytest.raises(VenueError):  # one swap at a time
        services.swap_request(actor=world.a1_staff, week=mine, other=weeks[3])
    with pytest.raises(VenueError) as caught:  # the centre approves only what the other agreed
        services.swap_transition(actor=world.sub_admin, swap=swap, action="approve")
    assert caught.value.code == "wrong_state"
    with pytest.raises(VenueError):  # the asker cannot agree for the other
        services.swap_transition(actor=world.a1_staff, swap=swap, action="agree")
    services.swap_transition(actor=world.a2_staff, swap=swap, action="agree")
    with pytest.raises(VenueError):
        services.swap_transition(actor=world.a2_staff, swap=swap, action="approve")
    services.swap_transition(actor=world.sub_admin, swap=swap, action="approve")
    assert swap.status == SwapStatus.APPROVED
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.owner, theirs.owner) == (world.comm_a2, world.comm_a1)


def test_rotation_needs_staff_and_members_of_the_subdistrict(world, centre):
    with pytest.raises(VenueError):
        services.rotation_create(
            actor=world.a1_staff, venue=centre, name="x", starts_on=date(2030, 1, 7), ends_on=date(2030, 2, 1),
            members=[world.comm_a1, world.comm_a2],
        )  # fmt: skip
    with pytest.raises(VenueError):
        services.rotation_create(
            actor=world.sub_admin, venue=centre, name="x", starts_on=date(2030, 1, 7), ends_on=date(2030, 2, 1),
            members=[world.comm_a1, world.comm_b1],
        )  # fmt: skip
    coop_staff = UserFactory()
    bind(coop_staff, Role.COMMUNITY_STAFF, world.comm_a1)


def test_a_week_names_the_volunteering_activities_it_runs(client, world, centre):
    from gongzhi.volunteering.models import Activity

    monday = next_weekday(0)
    rotation = services.rotation_create(
        actor=world.sub_admin, venue=centre, name="活动轮值表", starts_on=monday,
        ends_on=monday + timedelta(days=13), members=[world.comm_a1, world.comm_a2],
    )  # fmt: skip
    week, other = list(rotation.weeks.order_by("week_of"))
    assert week.owner == world.comm_a1

    def activity(title, node, day):
        return Activity.objects.create(
            node=node,
            organiser=world.a1_staff,
            title=title,
            starts_at=at(day, 9),
            ends_at=at(day, 11),
            capacity=20,
        )

    film = activity("红色电影放映", world.cmp_a1a, monday + timedelta(days=2))
    later = activity("下周的义诊", world.cmp_a1a, monday + timedelta(days=9))
    elsewhere = activity("街道B的活动", world.cmp_b1a, monday + timedelta(days=2))
    client.force_login(world.a1_staff)
    page = client.get(f"/venues/rotations/{rotation.pk}/").content.decode()
    assert f'<option value="{film.pk}">' in page and f'<option value="{later.pk}">' not in page
    assert (
        client.post(f"/venues/rotations/{rotation.pk}/", {"week": week.pk, "activity": film.pk}).status_code
        == 302
    )
    assert list(week.activities.all()) == [film]
    with pytest.raises(VenueError):  # not that week
        services.week_activity_link(actor=world.a1_staff, week=week, activity=later)
    with pytest.raises(VenueError):  # not in the venue's subdistrict
        services.week_activity_link(actor=world.sub_admin, week=week, activity=elsewhere)
    with pytest.raises(VenueError):  # not A2's week
        services.week_activity_link(actor=world.a2_staff, week=week, activity=film)
    # Whoever looks at the rotation sees what the week ran.
    client.force_login(world.a2_staff)
    assert "红色电影放映" in client.get(f"/venues/rotations/{rotation.pk}/").content.decode()
    assert other.activities.count() == 0
