"""Who may do what in the points mall."""

from typing import Any

import rules

from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES
from gongzhi.core.rules import holds_over, staff_of
from gongzhi.core.scoping import bound_near

# Staff over the place an item is offered at manage it and its orders.
_manages_there = holds_over(MANAGER_ROLES, lambda node: node, "manages_there")


@rules.predicate
def sets_earning_rule(user: Any, subdistrict: Any) -> bool:
    """The subdistrict's earning rule is set by its administrator (or someone above)."""
    return subdistrict.kind == "subdistrict" and _manages_there.test(user, subdistrict)


# (user, subdistrict): proposes manual awards there (any caseworker of it), decides them (its managers).
proposes_awards_in = rules.predicate(
    lambda user, subdistrict: (
        subdistrict.kind == "subdistrict" and bound_near(user, subdistrict.path, CASEWORK_ROLES)
    ),
    name="proposes_awards_in",
)
decides_awards_in = rules.predicate(
    lambda user, subdistrict: bound_near(user, subdistrict.path, MANAGER_ROLES), name="decides_awards_in"
)
offers_at = staff_of(lambda node: node, "offers_at")  # (user, node): may offer items there
manages_item = staff_of(lambda item: item.node, "manages_item")
manages_order = staff_of(lambda order: order.item.node, "manages_order")


@rules.predicate
def is_buyer(user: Any, order: Any) -> bool:
    return user is not None and user.pk is not None and user.pk == order.buyer_id
