"""Every write of the module: community types and the directory (directory.py), action plans (plans.py)
and the steps of orders, providers and plans (the transition tables in workflow.py)."""

from gongzhi.community.directory import (
    node_type_set,
    order_place,
    price_cap_set,
    provider_register,
    provider_update,
    service_add,
    service_closure_add,
    service_closure_remove,
    service_update,
    type_create,
)
from gongzhi.community.errors import CommunityError
from gongzhi.community.plans import (
    action_add,
    indicator_progress,
    late_tasks_remind,
    plan_create,
    plan_indicators_refresh,
    task_add,
    task_update,
    weighted_progress,
)
from gongzhi.community.workflow import (
    ORDER_WORKFLOW,
    PLAN_WORKFLOW,
    PROVIDER_WORKFLOW,
    order_transition,
    plan_transition,
    provider_transition,
)

__all__ = [
    "ORDER_WORKFLOW",
    "PLAN_WORKFLOW",
    "PROVIDER_WORKFLOW",
    "CommunityError",
    "action_add",
    "indicator_progress",
    "late_tasks_remind",
    "node_type_set",
    "order_place",
    "order_transition",
    "plan_create",
    "plan_indicators_refresh",
    "plan_transition",
    "price_cap_set",
    "provider_register",
    "provider_transition",
    "provider_update",
    "service_add",
    "service_closure_add",
    "service_closure_remove",
    "service_update",
    "task_add",
    "task_update",
    "type_create",
    "weighted_progress",
]
