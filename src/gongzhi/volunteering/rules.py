"""Who may do what with teams and activities."""

from typing import Any

import rules

from gongzhi.core.roles import Role
from gongzhi.core.rules import staff_of
from gongzhi.core.scoping import user_bindings
from gongzhi.orgs.models import PartyMembership
from gongzhi.volunteering.models import MemberRole, TeamMember


@rules.predicate
def leads(user: Any, team: Any) -> bool:
    """The user leads ``team``."""
    if user is None or team is None or not user.is_authenticated:
        return False
    return TeamMember.objects.filter(team=team, user_id=user.pk, role=MemberRole.LEADER).exists()


staff_over_team = staff_of(lambda team: team.node, "staff_over_team")
staff_over_activity = staff_of(lambda activity: activity.node, "staff_over_activity")
leads_its_team = rules.predicate(lambda user, activity: leads(user, activity.team), name="leads_its_team")


@rules.predicate
def organised_it(user: Any, activity: Any) -> bool:
    return user is not None and user.is_authenticated and activity.organiser_id == user.pk


may_manage_team = staff_over_team | leads
# Staff over the activity's place, its organiser, or a leader of its team.
may_organise = organised_it | staff_over_activity | leads_its_team


def service_role(user: Any, activity: Any) -> str:
    """The role that sets the earning multiplier: leader of the activity's team, party member, or volunteer."""
    if leads(user, activity.team):
        return "leader"
    if is_party_member(user):
        return "party_member"
    return "volunteer"


@rules.predicate
def is_party_member(user: Any) -> bool:
    """Bound as a party member somewhere, or on a party organisation's roll."""
    return any(b.role == Role.PARTY_MEMBER for b in user_bindings(user)) or (
        # unscoped: the user's own party memberships
        PartyMembership.objects.filter(person__user_id=user.pk).exists()
    )
