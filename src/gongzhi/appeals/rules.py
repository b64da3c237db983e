"""Who may act on an appeal: small predicates the services, views, API and templates share."""

from datetime import timedelta
from typing import Any

import rules
from django.conf import settings

from gongzhi.core.roles import CASEWORK_ROLES, NEIGHBOUR_ROLES, Role
from gongzhi.core.rules import is_system
from gongzhi.core.scoping import has_role


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
def works_on(user: Any, appeal: Any) -> bool:
    """Casework staff over the place of the appeal (any tier): they see its internal notes."""
    return user is not None and has_role(user, CASEWORK_ROLES, at_path=appeal.node.path)


@rules.predicate
def may_file_at(user: Any, node: Any) -> bool:
    """Staff over the place, or someone who lives there, may file an appeal about it."""
    return user is not None and (
        has_role(user, CASEWORK_ROLES, at_path=node.path)
        or has_role(user, NEIGHBOUR_ROLES, at_path=node.path)
    )


@rules.predicate
def may_add_photo(user: Any, appeal: Any) -> bool:
    """The filer or the handlers, while the appeal is open or waiting for its rating."""
    return (appeal.is_open or appeal.status == "resolved") and (
        is_filer(user, appeal) or handles(user, appeal)
    )


@rules.predicate
def edits_categories(user: Any, subdistrict: Any) -> bool:
    """A subdistrict's administrators change its own categories."""
    return subdistrict.kind == "subdistrict" and has_role(
        user, {Role.SUBDISTRICT_ADMIN}, at_path=subdistrict.path
    )


# Who takes each transition (appeals/workflow.py).
staff = handles
resident = is_filer
system_or_staff = is_system | handles


def rating_window() -> timedelta:
    """How long a resident may rate a resolved appeal (GONGZHI_RATING_WINDOW_DAYS, default 7 days)."""
    return timedelta(days=getattr(settings, "GONGZHI_RATING_WINDOW_DAYS", 7))
