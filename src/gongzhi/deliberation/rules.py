"""Who may do what in deliberation and mediation (django-rules predicates over (user, object))."""

from typing import Any

import rules

from gongzhi.core.roles import Role
from gongzhi.core.rules import _user, belongs_near, holds, holds_over, is_viewer_only, staff_of


def _is(user: Any, user_id: int | None) -> bool:
    return _user(user) and user_id is not None and user.pk == user_id


# A council is run by the casework staff over its place, its chair and its secretary.
council_staff = staff_of(lambda council: council.node, "council_staff")
is_chair = rules.predicate(lambda user, council: _is(user, council.chair_id), name="is_chair")
is_secretary = rules.predicate(lambda user, council: _is(user, council.secretary_id), name="is_secretary")
runs_council = council_staff | is_chair | is_secretary


@rules.predicate
def runs_topic(user: Any, topic: Any) -> bool:
    return bool(runs_council.test(user, topic.council))


@rules.predicate
def runs_meeting(user: Any, meeting: Any) -> bool:
    return bool(runs_council.test(user, meeting.council))


@rules.predicate
def chairs_meeting(user: Any, meeting: Any) -> bool:
    """The chair approves the minutes; without a chair, a manager over the council's place does."""
    council = meeting.council
    if council.chair_id is not None:
        return _is(user, council.chair_id) or bool(_user(user) and user.is_superuser)
    return bool(holds_over(MANAGERS, lambda m: m.node, "manages_meeting").test(user, meeting))


MANAGERS = {Role.COMMUNITY_SECRETARY, Role.SUBDISTRICT_ADMIN}


@rules.predicate
def lives_near(user: Any, obj: Any) -> bool:
    """Someone who belongs where the topic or meeting is (resident, member, staff), not a figures-only viewer."""
    return bool(_user(user) and belongs_near.test(user, obj.node) and not is_viewer_only(user))


@rules.predicate
def topic_needs_support(user: Any, topic: Any) -> bool:
    return topic.source == "proposal" and topic.support_count < topic.support_needed


# Mediation: the assigned mediators, the committee's head (community secretary over the case) and parties.
case_head = holds_over({Role.COMMUNITY_SECRETARY}, lambda case: case.node, "case_head")


@rules.predicate
def is_mediator(user: Any, case: Any) -> bool:
    return _user(user) and any(m.user_id == user.pk for m in case.mediators.all())


@rules.predicate
def is_case_party(user: Any, case: Any) -> bool:
    return _user(user) and any(p.user_id == user.pk for p in case.parties.all())


mediates = is_mediator | case_head
sees_case = mediates | is_case_party


# The mediation desk in the menu: community staff and secretaries, subdistrict admins (who keep the area's
# cases and figures), and anyone assigned to mediate a case. A compound commissioner who mediates nothing
# would see only counts there, so the entry is left out for them (the desk stays reachable from an appeal).
_desk_roles = holds(
    {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.SUBDISTRICT_ADMIN}, "keeps_mediation_desk"
)


@rules.predicate
def mediates_a_case(user: Any) -> bool:
    from gongzhi.deliberation.mediation_models import CaseMediator

    # unscoped: whether the user is assigned to any case (their own assignments)
    return _user(user) and CaseMediator.objects.filter(user_id=user.pk).exists()


at_mediation_desk = _desk_roles | mediates_a_case
