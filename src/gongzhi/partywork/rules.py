"""Who may do what in party organisation work.

A branch's secretary (or deputy) assesses their own branch; reviewers are the managers (community secretary,
subdistrict administrator) over the branch who are not its members, so a branch never scores itself and a
reviewer never assesses; the recheck and the public notice are the working committee's (the subdistrict's
administrator), and the one who rechecks is not the one who scored. Approvals (member points, expenses,
grants) are by a manager over the place who is not the person who entered the row.
"""

from typing import Any

import rules

from gongzhi.core.roles import MANAGER_ROLES, Role
from gongzhi.core.rules import _user, holds_over
from gongzhi.orgs.models import MemberPost, PartyMembership

LEADING_POSTS = (MemberPost.SECRETARY, MemberPost.DEPUTY_SECRETARY)


def _posts(user: Any) -> dict[int, str]:
    """The user's posts by branch (party organisation id), read once per user object."""
    cached = getattr(user, "_partywork_posts", None)
    if cached is None:
        cached = {}
        if _user(user):
            # unscoped: the user's own memberships
            rows = PartyMembership.objects.filter(person__user_id=user.pk).values_list("party_org_id", "post")
            cached = dict(rows)
        setattr(user, "_partywork_posts", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def branch_of(obj: Any) -> int:
    return obj.branch_id if hasattr(obj, "branch_id") else obj.pk


@rules.predicate
def is_branch_member(user: Any, obj: Any) -> bool:
    return branch_of(obj) in _posts(user)


@rules.predicate
def is_branch_secretary(user: Any, obj: Any) -> bool:
    return _posts(user).get(branch_of(obj)) in LEADING_POSTS


manages = holds_over(MANAGER_ROLES, lambda obj: obj.node, "pw_manages")
is_committee = holds_over({Role.SUBDISTRICT_ADMIN}, lambda obj: obj.node, "pw_is_committee")

# A reviewer: a manager over the branch who is not one of its members.
is_reviewer = manages & ~is_branch_member


@rules.predicate
def is_scorer(user: Any, rating: Any) -> bool:
    return _user(user) and rating.scored_by_id == user.pk


is_rechecker = is_committee & ~is_scorer & ~is_branch_member


@rules.predicate
def may_appeal(user: Any, rating: Any) -> bool:
    return not rating.appealed


# Expenses and grants: entered by the branch (its secretary) or staff over it; approved by a manager over it
# who did not enter it and is not in the branch.
enters_for_branch = is_branch_secretary | manages


@rules.predicate
def entered_it(user: Any, obj: Any) -> bool:
    return _user(user) and getattr(obj, "entered_by_id", None) == user.pk


approves = manages & ~entered_it & ~is_branch_member
publishes = is_branch_secretary | manages


@rules.predicate
def in_party_work(user: Any) -> bool:
    """Staff and viewers over a place, and every party member (their own points and hours)."""
    from gongzhi.core.rules import is_overseer

    return bool(is_overseer.test(user) or _posts(user))
