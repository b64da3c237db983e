"""Owner rules of the alliance lists: a unit's accounts see their unit's rows; the open lists of the
subdistricts where they hold the alliance_unit role are the "market" action's subtree rule."""

from typing import Any

from django.db.models import Q

from gongzhi.core.scoping import OwnerRule


def _my_units(user: Any) -> Any:
    from gongzhi.alliances.models import UnitStaff

    return UnitStaff.objects.filter(user_id=user.pk).values("unit_id")


def own_unit(field: str, *, via: str | None = None, actions: tuple[str, ...] = ("view", "market")) -> OwnerRule:
    """Rows of a unit the user acts for (``field`` is the row's unit; ``via`` a subquery column instead)."""

    def rule(user: Any, action: str) -> Q | None:
        if action not in actions or not user.pk:
            return None
        if via is not None:
            from gongzhi.alliances.models import Resource

            # unscoped: the user's own unit's resources, an owner rule
            mine = Resource.objects.filter(unit_id__in=_my_units(user)).values("pk")
            return Q(**{via: mine})
        return Q(**{f"{field}_id__in": _my_units(user)})

    rule.__name__ = f"own_unit({field})"
    return rule

