"""The service-order and plan requests each role makes most, whose plans must not grow with the orders
(gongzhi.core.plans). A new list, queue or detail of orders or plans adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.community.models import (
    OrderStatus,
    Plan,
    PlanAction,
    PlanStatus,
    PlanTask,
    Provider,
    ProviderKind,
    ProviderStatus,
    Service,
    ServiceOrder,
)
from gongzhi.core.plans import HotRequest

LARGE_TABLES = ("community_serviceorder",)

HOT_REQUESTS = [
    HotRequest(
        "own service orders",
        "resident",
        "/api/v1/service-orders?view=mine",
        sorted_ok="one resident's own orders: a handful, found by their index",
    ),
    HotRequest(
        "services near me",
        "resident",
        "/api/v1/services",
        sorted_ok="the listed services around one home, ranked by distance (computed, no index keeps it)",
    ),
    HotRequest(
        "provider's queue",
        "property_manager",
        "/api/v1/service-orders?view=queue",
        sorted_ok="the orders of the providers one person answers for, by the time wished",
    ),
    HotRequest("service order", "resident", "/api/v1/service-orders/{own_order}", kind="detail"),
    HotRequest("service order", "property_manager", "/api/v1/service-orders/{queue_order}", kind="detail"),
    HotRequest("service order", "community_staff", "/api/v1/service-orders/{staff_order}", kind="detail"),
    HotRequest("service orders in reach", "community_staff", "/api/v1/service-orders?view=all"),
    HotRequest("service orders in reach", "subdistrict_admin", "/api/v1/service-orders?view=all"),
    HotRequest(
        "action plans",
        "subdistrict_admin",
        "/api/v1/plans",
        sorted_ok="the plans of one reach: a few a year",
    ),
    HotRequest(
        "action plan",
        "subdistrict_admin",
        "/api/v1/plans/{plan}",
        kind="detail",
        sorted_ok="one plan's tasks, in the order of its actions",
    ),
]


def seed(world: Any, *, count: int = 6_000) -> dict[str, Any]:
    """``count`` orders over a year from the sub-district's compounds to a dozen providers, one in fifty by
    the resident; the property manager answers for one provider. And one plan with a task a compound."""
    rng = random.Random(20)
    w = world
    providers = []
    for k, compound in enumerate(w.compounds[:12]):
        providers.append(
            Provider.objects.create(
                node=compound,
                kind=ProviderKind.SKILLED_RESIDENT,
                name=f"能人{k}",
                status=ProviderStatus.LISTED,
                user=w.property_manager if k == 0 else None,
            )
        )
    services = [
        Service.objects.create(
            provider=p, area=p.node.get_parent(), category="repair", title=f"维修{k}", place="home"
        )
        for k, p in enumerate(providers)
    ]
    people = [w.commissioner, w.a1_staff, w.a2_staff, w.sub_admin, w.a1_secretary]
    now = timezone.now()
    statuses = [OrderStatus.CONFIRMED] * 6 + [
        OrderStatus.DECLINED,
        OrderStatus.CANCELLED,
        OrderStatus.REQUESTED,
    ]
    orders = []
    for i in range(count):
        service = rng.choice(services)
        at = now - timedelta(days=rng.uniform(0, 365))
        orders.append(
            ServiceOrder(
                service=service,
                provider=service.provider,
                node=rng.choice(w.compounds),
                resident=w.resident if i % 50 == 0 else rng.choice(people),
                wished_at=at + timedelta(days=2),
                status=rng.choice(statuses),
                created_at=at,
            )
        )
    ServiceOrder.objects.bulk_create(orders, batch_size=2000)
    plan = Plan.objects.create(
        node=w.sub_a, title="三年行动", start_year=2026, end_year=2028, created_by=w.sub_admin
    )
    plan.status = PlanStatus.ACTIVE
    plan.save(update_fields=["status"])
    action = PlanAction.objects.create(plan=plan, order=1, name="强社惠民")
    PlanTask.objects.bulk_create(
        PlanTask(
            plan=plan,
            action=action,
            node=compound,
            title=f"任务{k}",
            starts_on=date(2026, 1, 1),
            due_on=date(2026, 12, 31),
        )
        for k, compound in enumerate(w.compounds)
    )
    mine = ServiceOrder.objects.filter(resident=w.resident).values_list("pk", flat=True).first()
    queue = ServiceOrder.objects.filter(provider=providers[0]).values_list("pk", flat=True).first()
    staff = ServiceOrder.objects.filter(node=w.cmp_a1a).values_list("pk", flat=True).first()
    return {"own_order": mine, "queue_order": queue, "staff_order": staff, "plan": plan.pk}
