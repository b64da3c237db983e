"""Who may act on an appeal: small predicates the services, views, API and templates share."""

from datetime import timedelta
from typing import Any

import rules
from django.conf import settings

from gongzhi.core.roles import CASEWORK_ROLES, NEIGHBOUR_ROLES, Role
from gongzhi.core.rules import holds, is_system
from gongzhi.core.scoping import PATH_STEP, bound_near, has_role, user_bindings

# The role that works for each kind of compound party (OrgUnit.kind).
PARTY_ROLE = {"property_manager": Role.PROPERTY_MANAGER, "owners_committee": Role.OWNERS_COMMITTEE}


# Someone who works for a compound's property manager or owners' committee.
is_party = holds(set(PARTY_ROLE.values()), "is_party")


def compound_path(appeal: Any) -> str:
    """The path of the appeal's compound (its place, or the compound its building stands in)."""
    path: str = appeal.node.path
    return path[:-PATH_STEP] if appeal.node.kind == "building" else path


@rules.predicate
def is_filer(user: Any, appeal: Any) -> bool:
    """The resident the appeal is for, or the person who filed it."""
    if user is None or not user.pk:
        return False
    return appeal.submitted_by_id == user.pk or (
        appeal.resident is not None and appeal.resident.user_id == user.pk
    )


@rules.predicate
def handles(user: Any, appeal: Any) -> bool:
    """Casework staff whose reach covers the node handling the appeal at its current tier."""
    return user is not None and has_role(user, CASEWORK_ROLES, at_path=appeal.handling_node.path)


@rules.predicate
def handles_open(user: Any, appeal: Any) -> bool:
    """Staff handling an appeal still open: they may take it to other modules (a council, mediation, the
    alliance's need list: their buttons on the appeal's page)."""
    return bool(appeal.is_open and handles(user, appeal))


@rules.predicate
def works_on(user: Any, appeal: Any) -> bool:
    """Casework staff over the place of the appeal (any tier): they see its internal notes."""
    return user is not None and has_role(user, CASEWORK_ROLES, at_path=appeal.node.path)


@rules.predicate
def is_assignee(user: Any, appeal: Any) -> bool:
    """The person the appeal is assigned to, or someone of the party it is assigned to: the property
    manager's or owners' committee's people at that compound (a company serving several compounds is bound
    at each). A member of the governance team is assigned by name."""
    if user is None or not getattr(user, "pk", None):
        return False
    if appeal.assignee_user_id is not None:
        return bool(appeal.assignee_user_id == user.pk)
    unit = appeal.assignee_unit
    if unit is not None:
        role = PARTY_ROLE[unit.kind]
        return any(b.role == role and unit.node.path.startswith(b.path) for b in user_bindings(user))
    return False


@rules.predicate
def may_file_at(user: Any, node: Any) -> bool:
    """Staff over the place, or someone who lives there, may file an appeal about it."""
    return user is not None and (
        has_role(user, CASEWORK_ROLES, at_path=node.path)
        or has_role(user, NEIGHBOUR_ROLES, at_path=node.path)
    )


@rules.predicate
def may_add_photo(user: Any, appeal: Any) -> bool:
    """The filer, the handlers or the party it is assigned to, while the appeal is open or waiting for its
    rating."""
    return (appeal.is_open or appeal.status == "resolved") and (
        is_filer(user, appeal) or handles(user, appeal) or is_assignee(user, appeal)
    )


@rules.predicate
def may_support(user: Any, appeal: Any) -> bool:
    """Someone who lives in the compound (not the filer) may add their support to an open public appeal."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and appeal.is_open
        and not appeal.hidden_from_neighbours
        and not is_filer(user, appeal)
        and bound_near(user, compound_path(appeal), NEIGHBOUR_ROLES)
        and not user.is_superuser
    )


@rules.predicate
def sees_contact(user: Any, appeal: Any) -> bool:
    """The filer's name and (masked) phone: the handlers at its tier and the party it is assigned to."""
    return bool(handles(user, appeal) or is_assignee(user, appeal))


@rules.predicate
def edits_categories(user: Any, subdistrict: Any) -> bool:
    """A subdistrict's administrators change its own categories."""
    return subdistrict.kind == "subdistrict" and has_role(
        user, {Role.SUBDISTRICT_ADMIN}, at_path=subdistrict.path
    )


# Who takes each transition (appeals/workflow.py).
staff = handles
resident = is_filer
assignee = is_assignee
system_or_staff = is_system | handles
staff_or_assignee = handles | is_assignee


def rating_window() -> timedelta:
    """How long a resident may rate a resolved appeal (GONGZHI_RATING_WINDOW_DAYS, default 7 days)."""
    return timedelta(days=getattr(settings, "GONGZHI_RATING_WINDOW_DAYS", 7))
