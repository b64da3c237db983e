"""Who may organise what: staff over the place, the organiser, the leader of the activity's team; who may
manage a team: staff over its place and its leaders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.roles import Role
from gongzhi.volunteering.models import Activity
from gongzhi.volunteering.rules import is_party_member, leads, may_manage_team, may_organise, service_role
from tests.accounts.factories import UserFactory, bind

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world, team):
    start = timezone.now() + timedelta(days=1)
    return Activity.objects.create(
        node=world.cmp_a1a,
        team=team,
        organiser=world.a1_staff,
        title="楼道清理",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=4,
    )


@pytest.mark.parametrize(
    ("who", "organises", "manages_team"),
    [
        ("a1_staff", True, True),  # organised it; staff over the team's community
        ("a1_secretary", True, True),
        ("sub_admin", True, True),
        ("commissioner", True, True),  # leads the team (and is staff over the compound)
        ("a2_staff", False, False),
        ("sub_b_admin", False, False),
        ("resident", False, False),
        ("viewer", False, False),
        ("nobody", False, False),
    ],
)
def test_organising_and_managing(world, team, activity, who, organises, manages_team):
    user = getattr(world, who)
    assert may_organise.test(user, activity) is organises
    assert may_manage_team.test(user, team) is manages_team


def test_a_leader_without_any_staff_role_organises_the_teams_activities(world, team, activity):
    leader = UserFactory()
    bind(leader, Role.RESIDENT, world.cmp_a1b)
    from gongzhi.volunteering.services import team_member_add

    team_member_add(actor=world.a1_secretary, team=team, user=leader, role="leader")
    assert (
        leads.test(leader, team)
        and may_organise.test(leader, activity)
        and may_manage_team.test(leader, team)
    )
    assert service_role(leader, activity) == "leader"
    other = Activity.objects.create(
        node=world.cmp_a1b,
        organiser=world.a1_staff,
        title="反诈宣传",
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        capacity=4,
    )
    assert not may_organise.test(leader, other)  # not the team's, not theirs


def test_the_multiplier_role(world, activity):
    assert service_role(world.resident, activity) == "party_member"  # on 小区A1a党支部's roll
    volunteer = UserFactory()
    assert not is_party_member.test(volunteer) and service_role(volunteer, activity) == "volunteer"
    bind(volunteer, Role.PARTY_MEMBER, activity.node)
    volunteer.__dict__.pop("_gongzhi_bindings", None)
    assert is_party_member.test(volunteer)
