"""Who may do what with community types, action plans, providers, services and service orders."""

from typing import Any

import rules

from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES, Role
from gongzhi.core.rules import holds_over, is_viewer_only, staff_of

# Plans: the managers (community secretary, subdistrict administrator) over the plan's node change them.
manages_plan = holds_over(MANAGER_ROLES, lambda plan: plan.node, "manages_plan")


@rules.predicate
def owns_task(user: Any, task: Any) -> bool:
    return user is not None and user.pk is not None and user.pk == task.owner_user_id


# A task is updated by its owner: the person named, or casework staff over the place that owns it.
updates_task = owns_task | holds_over(CASEWORK_ROLES, lambda task: task.node, "staff_over_task")

# Types: the managers over the node being typed (or over the subdistrict whose list it is).
types_node = holds_over(MANAGER_ROLES, lambda node: node, "types_node")

# The directory: casework staff over the provider's place check and list providers and add services.
reviews_provider = staff_of(lambda provider: provider.node, "reviews_provider")
sets_price_cap = holds_over({Role.SUBDISTRICT_ADMIN}, lambda node: node, "sets_price_cap")


@rules.predicate
def is_provider(user: Any, order: Any) -> bool:
    """The account that answers for the order's provider."""
    return user is not None and user.pk is not None and user.pk == order.provider.user_id


@rules.predicate
def is_orderer(user: Any, order: Any) -> bool:
    return user is not None and user.pk is not None and user.pk == order.resident_id


order_staff = staff_of(lambda order: order.node, "order_staff")
orderer_or_staff = is_orderer | order_staff
provider_or_staff = is_provider | order_staff

# Ordering: anyone who lives somewhere and is not only a figures viewer (the service's reach is checked
# by the service).
may_order = rules.predicate(lambda user: user is not None and not is_viewer_only(user), name="may_order")
