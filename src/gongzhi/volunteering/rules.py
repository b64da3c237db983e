"""Who may do what with teams and activities."""

from gongzhi.accounts.models import User
from gongzhi.core.roles import Role
from gongzhi.core.scoping import staff_over, user_bindings
from gongzhi.orgs.models import PartyMembership
from gongzhi.volunteering.models import Activity, MemberRole, Team, TeamMember


def leads(user: User | None, team: Team | None) -> bool:
    if user is None or team is None or not user.is_authenticated:
        return False
    return TeamMember.objects.filter(team=team, user_id=user.pk, role=MemberRole.LEADER).exists()


def may_manage_team(user: User | None, team: Team) -> bool:
    return staff_over(user, team.node) or leads(user, team)


def may_organise(user: User | None, activity: Activity) -> bool:
    """Staff over the activity's place, its organiser, or a leader of its team."""
    if user is None or not user.is_authenticated:
        return False
    return activity.organiser_id == user.pk or staff_over(user, activity.node) or leads(user, activity.team)


def service_role(user: User, activity: Activity) -> str:
    """The role that sets the earning multiplier: leader of the activity's team, party member, or volunteer."""
    if leads(user, activity.team):
        return "leader"
    if is_party_member(user):
        return "party_member"
    return "volunteer"


def is_party_member(user: User) -> bool:
    """Bound as a party member somewhere, or on a party organisation's roll."""
    return any(b.role == Role.PARTY_MEMBER for b in user_bindings(user)) or (
        PartyMembership.objects.filter(person__user_id=user.pk).exists()
    )
