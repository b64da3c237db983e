"""Fixtures shared by the volunteering tests."""

import pytest

from gongzhi.volunteering.models import MemberRole
from gongzhi.volunteering.services import team_create, team_member_add


@pytest.fixture
def team(world):
    """搭把手, a party members' team of 社区A1, led by the compound commissioner (no staff role over it)."""
    team = team_create(actor=world.a1_secretary, node=world.comm_a1, name="搭把手", kind="party_members")
    team_member_add(actor=world.a1_secretary, team=team, user=world.commissioner, role=MemberRole.LEADER)
    return team
