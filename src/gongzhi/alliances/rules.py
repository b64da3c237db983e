"""Who may do what in the alliances: staff over a place run its lists and projects; a unit's accounts act
for their unit; residents near a finished project rate it."""

from typing import Any

import rules

from gongzhi.core.roles import MANAGER_ROLES, NEIGHBOUR_ROLES, Role
from gongzhi.core.rules import _user, holds_over, is_viewer_only, staff_of
from gongzhi.core.scoping import bound_near


def unit_ids(user: Any) -> set[int]:
    """The units the user acts for, read once per user object (i.e. per request)."""
    cached: set[int] | None = getattr(user, "_alliance_units", None)
    if cached is None:
        if not _user(user):
            cached = set()
        else:
            from gongzhi.alliances.models import UnitStaff

            cached = set(UnitStaff.objects.filter(user_id=user.pk).values_list("unit_id", flat=True))
        setattr(user, "_alliance_units", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


# Staff over an object's node (commissioner, community staff or secretary, subdistrict admin).
staffs = staff_of(lambda obj: obj.node, "alliance_staffs")
# Managers over an alliance's node set it up and admit units.
manages = holds_over(MANAGER_ROLES | {Role.SUBDISTRICT_ADMIN}, lambda obj: obj.node, "alliance_manages")
manages_at = holds_over(MANAGER_ROLES | {Role.SUBDISTRICT_ADMIN}, lambda node: node, "alliance_manages_at")


@rules.predicate
def is_unit_account(user: Any) -> bool:
    return bool(unit_ids(user))


@rules.predicate
def acts_for_unit(user: Any, unit: Any) -> bool:
    """(user, unit): an account of the unit."""
    return unit is not None and unit.pk in unit_ids(user)


@rules.predicate
def owns_resource(user: Any, resource: Any) -> bool:
    return resource.unit_id in unit_ids(user)


resource_editor = owns_resource | staffs


@rules.predicate
def on_project(user: Any, project: Any) -> bool:
    """An account of a unit on the project."""
    mine = unit_ids(user)
    return bool(mine) and any(pu.unit_id in mine for pu in project.units.all())


@rules.predicate
def may_claim(user: Any, project: Any) -> bool:
    """An account of a unit working where the project is (its subdistrict), not on it already."""
    if not is_unit_account(user) or on_project(user, project):
        return False
    return bound_near(user, project.node.path, {Role.ALLIANCE_UNIT})


project_worker = on_project | staffs


@rules.predicate
def may_rate(user: Any, project: Any) -> bool:
    """A resident, volunteer or party member who lives at or near the project's place."""
    return (
        _user(user)
        and not is_viewer_only(user)
        and not user.is_superuser
        and bound_near(user, project.node.path, NEIGHBOUR_ROLES)
    )
