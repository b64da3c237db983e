"""Every write about volunteering, in one place to import from: teams and party members' reports (here),
activities and rosters (activities.py), sign-ups, check-in, attendance and hours (attendance.py)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.volunteering.activities import (
    activity_cancel,
    activity_create,
    roster_create,
    roster_generate,
    roster_set_active,
)
from gongzhi.volunteering.attendance import (
    CHECK_IN_EARLY,
    CHECK_OUT_GRACE,
    LATE_AFTER,
    attendance_mark,
    attendance_scan,
    hours_confirm,
    measured_hours,
    signup_cancel,
    signup_join,
)
from gongzhi.volunteering.errors import VolunteeringError
from gongzhi.volunteering.models import MemberRole, PartyMemberReport, Team, TeamKind, TeamMember
from gongzhi.volunteering.rules import is_party_member, may_manage_team

__all__ = [
    "CHECK_IN_EARLY",
    "CHECK_OUT_GRACE",
    "LATE_AFTER",
    "VolunteeringError",
    "activity_cancel",
    "activity_create",
    "attendance_mark",
    "attendance_scan",
    "hours_confirm",
    "measured_hours",
    "party_report",
    "roster_create",
    "roster_generate",
    "roster_set_active",
    "signup_cancel",
    "signup_join",
    "team_create",
    "team_member_add",
]


def team_create(
    *, actor: User, node: Node, name: str, kind: str = TeamKind.VOLUNTEERS, description: str = ""
) -> Team:
    if not staff_at.test(actor, node):
        raise VolunteeringError.forbidden(_("You cannot set up a team here."))
    name = (name or "").strip()
    if not name or kind not in TeamKind.values:
        raise VolunteeringError.invalid(_("Give the team a name and a kind."))
    try:
        with transaction.atomic():
            return Team.objects.create(
                node=node, name=name[:80], kind=kind, description=(description or "")[:1000]
            )
    except IntegrityError:
        raise VolunteeringError.invalid(_("A team of this name already serves here.")) from None


def team_member_add(*, actor: User, team: Team, user: User, role: str = MemberRole.MEMBER) -> TeamMember:
    """Staff or a leader add someone; anyone may add themselves as a member (join)."""
    joining_self = actor.pk == user.pk and role == MemberRole.MEMBER
    if not joining_self and not may_manage_team(actor, team):
        raise VolunteeringError.forbidden(_("You cannot add members to this team."))
    if role not in MemberRole.values:
        raise VolunteeringError.invalid(_("Unknown role in a team."))
    member, created = TeamMember.objects.get_or_create(team=team, user=user, defaults={"role": role})
    if not created and member.role != role and may_manage_team(actor, team):
        TeamMember.objects.filter(pk=member.pk).update(role=role)
        member.role = role
    return member


def party_report(
    *, actor: User, compound: Node, display_name: str, pledge: str, workplace: str = ""
) -> PartyMemberReport:
    """An in-service party member reports to the compound they live in; a new report replaces the old one."""
    if compound.kind != NodeKind.COMPOUND:
        raise VolunteeringError.invalid(_("Report to the compound you live in."))
    if not is_party_member(actor):
        raise VolunteeringError.forbidden(_("Only party members report to a compound."))
    display_name, pledge = (display_name or "").strip(), (pledge or "").strip()
    if not display_name or not pledge:
        raise VolunteeringError.invalid(_("Give the name to show and your pledge."))
    with transaction.atomic():
        # unscoped: the actor's own earlier reports
        PartyMemberReport.objects.filter(user=actor, is_active=True).update(is_active=False)
        return PartyMemberReport.objects.create(
            user=actor,
            node=compound,
            display_name=display_name[:40],
            workplace=(workplace or "").strip()[:120],
            pledge=pledge[:300],
        )
