"""Small permission predicates every app composes (django-rules: ``&``, ``|``, ``~``).

A predicate takes ``(user)`` or ``(user, obj)``; the user may be None for the system (the SLA sweep).
Apps build their own in ``<app>/rules.py`` from these, e.g. ``is_filer | handles``.
"""

from collections.abc import Callable, Iterable
from typing import Any

import rules

from gongzhi.core.registry import spreadsheets
from gongzhi.core.roles import (
    ALL_ROLES,
    CASEWORK_ROLES,
    MANAGER_ROLES,
    NEIGHBOUR_ROLES,
    OVERSIGHT_ROLES,
    Role,
)
from gongzhi.core.scoping import bound_near, has_role, staff_over

Predicate = rules.Predicate


def _user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def holds(roles: Iterable[str], name: str) -> Predicate:
    """The user holds one of ``roles`` somewhere (a superuser holds every role)."""
    wanted = frozenset(roles)
    return rules.predicate(lambda user: _user(user) and has_role(user, wanted), name=name)


def holds_over(roles: Iterable[str], node_of: Callable[[Any], Any], name: str) -> Predicate:
    """The user holds one of ``roles`` at the node of the object (``node_of(obj)``) or above it."""
    wanted = frozenset(roles)

    def check(user: Any, obj: Any) -> bool:
        node = node_of(obj)
        return _user(user) and node is not None and has_role(user, wanted, at_path=node.path)

    return rules.predicate(check, name=name)


def staff_of(node_of: Callable[[Any], Any], name: str) -> Predicate:
    """Casework staff (commissioner, community staff or secretary, subdistrict admin) over the object's node."""
    return rules.predicate(lambda user, obj: _user(user) and staff_over(user, node_of(obj)), name=name)


# (user, node): casework staff over the node; (user, node): holds any role at, above or inside the node.
staff_at = staff_of(lambda node: node, "staff_at")
belongs_near = rules.predicate(
    lambda user, node: _user(user) and bound_near(user, node.path), name="belongs_near"
)

is_system = rules.predicate(lambda user: user is None, name="is_system")
is_superuser = rules.predicate(lambda user: _user(user) and user.is_superuser, name="is_superuser")
is_caseworker = holds(CASEWORK_ROLES, "is_caseworker")
is_manager = holds(MANAGER_ROLES, "is_manager")
is_overseer = holds(OVERSIGHT_ROLES, "is_overseer")
is_subdistrict_admin = holds({Role.SUBDISTRICT_ADMIN}, "is_subdistrict_admin")
# Someone who lives here and uses the site for themselves (residents' pages; superusers are not).
is_neighbour = holds(NEIGHBOUR_ROLES, "holds_neighbour_role") & ~is_superuser
# Someone who only looks at figures (a district viewer with no other role): no filing, claiming or buying.
is_viewer_only = (
    holds({Role.DISTRICT_VIEWER}, "holds_viewer_role")
    & ~holds(ALL_ROLES - {Role.DISTRICT_VIEWER}, "holds_other_role")
    & ~is_superuser
)
# An account that acts only for an alliance's co-building unit (an organisation, not a resident): its menu is
# the unit's work, not the residents' pages.
is_unit_only = (
    holds({Role.ALLIANCE_UNIT}, "holds_unit_role")
    & ~holds(ALL_ROLES - {Role.ALLIANCE_UNIT}, "holds_other_than_unit")
    & ~is_superuser
)
takes_part = ~is_viewer_only & ~is_unit_only
can_import = rules.predicate(
    lambda user: any(sheet.may_import(user) for sheet in spreadsheets().values()), name="can_import"
)
