"""Every read the pages and the API make, scoped to the user asking."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.community.models import (
    OPEN_ORDERS,
    CommunityType,
    NodeTyping,
    OrderStatus,
    Plan,
    PlanTask,
    PriceCap,
    Provider,
    ProviderStatus,
    Service,
    ServiceClosure,
    ServiceOrder,
)
from gongzhi.community.plans import plan_figures, weighted_progress
from gongzhi.core.pii import mask_name
from gongzhi.core.registry import COUNT, RATE, kpi_figure, kpi_providers
from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES
from gongzhi.core.scoping import belonging_paths, collapse_paths, reach_paths, subtree_q
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.picker import PlaceChoice, casework_choice

PLACE_KINDS = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND)


def plan_place_choice(user: User) -> PlaceChoice:
    """Where the user may make plans and give tasks (the place picker's "plan" purpose): under their
    managing roles (the plan's own area is checked by the service)."""
    if user.is_superuser:
        return casework_choice(user, [NodeKind.DISTRICT, *PLACE_KINDS])
    return PlaceChoice(
        kinds=(NodeKind.DISTRICT, *PLACE_KINDS), roots=tuple(collapse_paths(reach_paths(user, MANAGER_ROLES)))
    )


def directory_place_choice(user: User) -> PlaceChoice:
    """Where staff put providers and the areas services serve (the "directory" purpose)."""
    return casework_choice(user, PLACE_KINDS)


# --- community types -------------------------------------------------------------------------------------


def types_of(*, fetched_by: User, subdistrict: Node | None = None) -> QuerySet[CommunityType]:
    types = CommunityType.objects.visible_to(fetched_by, "view").select_related("node")
    return types.filter(node=subdistrict) if subdistrict is not None else types


def type_get(*, fetched_by: User, pk: int) -> CommunityType:
    found = types_of(fetched_by=fetched_by).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def typings_under(*, fetched_by: User, node: Node) -> dict[int, CommunityType]:
    """The type of each typed community and compound under ``node`` (node id → type)."""
    rows = (
        NodeTyping.objects.visible_to(fetched_by, "view")
        .filter(node__path__startswith=node.path)
        .select_related("type")
    )
    return {r.node_id: r.type for r in rows}


# --- plans -----------------------------------------------------------------------------------------------


def plan_list(*, fetched_by: User) -> QuerySet[Plan]:
    return Plan.objects.visible_to(fetched_by, "view").select_related("node").order_by("-start_year", "id")


def plan_get(*, fetched_by: User, pk: int) -> Plan:
    plan = plan_list(fetched_by=fetched_by).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def plan_tasks(*, plan: Plan) -> list[PlanTask]:
    """Every task of a plan the user may see (the plan itself was fetched in scope): a plan's progress is
    over all its tasks."""
    # unscoped: the tasks of a plan fetched through plan_get
    return list(
        plan.tasks.select_related("action", "step", "node", "owner_user").order_by(
            "action__order", "starts_on", "id"
        )
    )


def task_get(*, fetched_by: User, plan: Plan, pk: int) -> PlanTask:
    task = (
        PlanTask.objects.visible_to(fetched_by, "view")
        .filter(plan=plan, pk=pk)
        .select_related("plan", "node")
        .first()
    )
    if task is None:
        # A manager of the plan reaches every task of it.
        task = next((t for t in plan_tasks(plan=plan) if t.pk == pk), None)
    if task is None:
        raise Http404
    return task


def plan_people(*, fetched_by: User, plan: Plan) -> list[tuple[User, str]]:
    """The staff working in the plan's area, whom a task may name as its owner: (person, where)."""
    if not fetched_by.is_superuser and not reach_paths(fetched_by, MANAGER_ROLES):
        return []
    bindings = (
        # unscoped: the staff bound under the plan's place (the plan was fetched in scope by a manager)
        RoleBinding.objects.filter(subtree_q("node", [plan.node.path]), role__in=CASEWORK_ROLES)
        .select_related("user", "node")
        .filter(user__is_active=True)
        .order_by("node__path", "user_id")[:300]
    )
    seen: dict[int, tuple[User, str]] = {}
    for b in bindings:
        seen.setdefault(b.user_id, (b.user, b.node.name))
    return list(seen.values())


@dataclass
class Figure:
    key: str  # "app:figure", as the task form sends it
    app: str
    figure: str
    label: str  # the module's name
    value: float
    name: str = ""  # the figure's name, as the module declares it
    kind: str = COUNT

    @property
    def shown(self) -> str:
        """The value as a person reads it: a rate in per cent, else the number."""
        if self.kind == RATE:
            return f"{self.value * 100:.1f}%"
        return f"{self.value:,.1f}" if self.value % 1 else f"{self.value:,.0f}"


def figures_for(*, plan: Plan) -> list[Figure]:
    """The platform figures a task of the plan can follow, with their value over the plan's area now."""
    labels = {app: str(p.label) for app, p in kpi_providers().items()}
    found = []
    for (app, figure), value in sorted(plan_figures(plan=plan).items()):
        declared = kpi_figure(app, figure)
        found.append(
            Figure(
                key=f"{app}:{figure}",
                app=app,
                figure=figure,
                label=labels.get(app, app),
                value=value,
                name=str(declared.label),
                kind=declared.kind,
            )
        )
    return found


@dataclass
class PlanSummary:
    plan: Plan
    tasks: list[PlanTask]
    progress: float | None
    late: list[PlanTask]
    by_action: list[tuple[Any, float | None, int]]  # (action, progress, tasks)
    mine: set[int] = field(default_factory=set)  # the tasks the user may update


def plan_summary(*, fetched_by: User, plan: Plan, today: date | None = None) -> PlanSummary:
    from gongzhi.community.rules import updates_task

    today = today or timezone.localdate()
    tasks = plan_tasks(plan=plan)
    grouped: dict[int, list[PlanTask]] = defaultdict(list)
    for t in tasks:
        grouped[t.action_id].append(t)
    actions = list(plan.actions.all())
    return PlanSummary(
        plan=plan,
        tasks=tasks,
        progress=weighted_progress(tasks),
        late=[t for t in tasks if t.is_late(today)],
        by_action=[(a, weighted_progress(grouped[a.pk]), len(grouped[a.pk])) for a in actions],
        mine={t.pk for t in tasks if updates_task.test(fetched_by, t)},
    )


def portfolio(*, fetched_by: User, plan: Plan) -> dict[str, Any]:
    """The plan's progress across the communities that own its tasks, by community type and action: rows
    are types (each with its communities), columns the plan's actions."""
    tasks = plan_tasks(plan=plan)
    typings = typings_under(fetched_by=fetched_by, node=plan.node)
    actions = list(plan.actions.all())
    untyped = str(_("Not typed"))
    cells: dict[tuple[str, int], list[PlanTask]] = defaultdict(list)
    communities: dict[str, dict[str, list[PlanTask]]] = defaultdict(lambda: defaultdict(list))
    for t in tasks:
        community_id = t.node_id
        kind = typings.get(community_id)
        label = kind.name if kind else untyped
        cells[(label, t.action_id)].append(t)
        communities[label][t.node.name].append(t)
    types = sorted({k for k, _a in cells}, key=lambda name: (name == untyped, name))
    return {
        "actions": [a.name for a in actions],
        "types": types,
        "cells": [[weighted_progress(cells[(name, a.pk)]) for a in actions] for name in types],
        "communities": {
            name: sorted((c, weighted_progress(ts)) for c, ts in communities[name].items()) for name in types
        },
    }


# --- the directory ---------------------------------------------------------------------------------------


def _distance_km(a: Node | None, b: Node | None) -> float | None:
    if a is None or b is None or None in (a.lat, a.lng, b.lat, b.lng):
        return None
    lat1, lng1, lat2, lng2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return round(6371 * 2 * math.asin(math.sqrt(h)), 1)


def home_compound(*, user: User) -> Node | None:
    paths = belonging_paths(user, NodeKind.COMPOUND)
    # unscoped: the compound the user belongs to
    return Node.objects.filter(path__in=paths).order_by("path").first() if paths else None


def services_near(
    *, fetched_by: User, category: str | None = None, weekday: int | None = None, query: str = ""
) -> list[tuple[Service, float | None]]:
    """Listed services offered where the user lives, nearest first (the provider's place from the user's
    compound), by category and day of the week."""
    services = (
        Service.objects.visible_to(fetched_by, "view")
        .filter(active=True, provider__status=ProviderStatus.LISTED)
        .select_related("provider", "provider__node", "area")
    )
    if category:
        services = services.filter(category=category)
    if weekday:
        services = services.filter(weekdays__contains=str(weekday))
    if query:
        services = services.filter(Q(title__contains=query) | Q(provider__name__contains=query))
    home = home_compound(user=fetched_by)
    found = [(s, _distance_km(home, s.provider.node)) for s in services[:300]]
    found.sort(key=lambda pair: (pair[1] is None, pair[1] or 0, -len(pair[0].area.path), pair[0].pk))
    return found


def service_get(*, fetched_by: User, pk: int) -> Service:
    service = (
        Service.objects.visible_to(fetched_by, "view")
        .select_related("provider", "provider__node", "area")
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise Http404
    return service


def service_list(*, fetched_by: User) -> QuerySet[Service]:
    return (
        Service.objects.visible_to(fetched_by, "change")
        .select_related("provider", "area")
        .order_by("area__path", "id")
    )


def service_for_staff(*, fetched_by: User, pk: int) -> Service:
    """A service for staff to change (over the area it serves)."""
    service = service_list(fetched_by=fetched_by).select_related("provider__node").filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


def provider_services(*, provider: Provider) -> list[Service]:
    # unscoped: the services of a provider fetched in scope by staff
    return list(provider.services.select_related("area").order_by("-active", "category", "id"))


def closures_ahead(*, service: Service) -> list[ServiceClosure]:
    """The days a service (fetched in scope) is closed, from today on."""
    # unscoped: the closures of a service fetched in scope
    return list(ServiceClosure.objects.filter(service=service, ends_on__gte=timezone.localdate())[:50])


def account_named(username: str) -> User | None:
    """The active account of that user name (to answer a provider's orders)."""
    # unscoped: one exact user name typed by staff
    return User.objects.filter(username=username, is_active=True).first()


def price_caps(*, fetched_by: User) -> QuerySet[PriceCap]:
    return PriceCap.objects.visible_to(fetched_by, "view").select_related("node").order_by("node__path")


def typings(*, fetched_by: User) -> QuerySet[NodeTyping]:
    return (
        NodeTyping.objects.visible_to(fetched_by, "change")
        .select_related("node", "type")
        .order_by("node__path")
    )


def provider_list(*, fetched_by: User, status: str | None = None) -> QuerySet[Provider]:
    providers = (
        Provider.objects.visible_to(fetched_by, "review")
        .select_related("node")
        .annotate(services_count=Count("services"))
    )
    return providers.filter(status=status) if status else providers.order_by("status", "kind", "name")


def provider_get(*, fetched_by: User, pk: int) -> Provider:
    provider = (
        Provider.objects.visible_to(fetched_by, "view").select_related("node", "user").filter(pk=pk).first()
    )
    if provider is None:
        raise Http404
    return provider


def my_providers(*, fetched_by: User) -> QuerySet[Provider]:
    # unscoped: the providers the user answers for
    return Provider.objects.filter(user_id=fetched_by.pk)


# --- orders ----------------------------------------------------------------------------------------------

ORDER_RELATED = ("service", "provider", "provider__user", "node", "resident")


def own_orders(*, fetched_by: User) -> QuerySet[ServiceOrder]:
    return (
        # unscoped: the resident's own orders
        ServiceOrder.objects.filter(resident_id=fetched_by.pk).select_related(*ORDER_RELATED).order_by("-id")
    )


def provider_queue(*, fetched_by: User, open_only: bool = False) -> QuerySet[ServiceOrder]:
    """The orders of the providers the user answers for, open ones first."""
    # unscoped: the orders of the user's own providers
    orders = ServiceOrder.objects.filter(provider__in=my_providers(fetched_by=fetched_by).values("pk"))
    if open_only:
        orders = orders.filter(status__in=OPEN_ORDERS)
    return orders.select_related(*ORDER_RELATED).order_by("wished_at", "id")


def orders_in_reach(*, fetched_by: User, status: str | None = None) -> QuerySet[ServiceOrder]:
    """Every order in the user's reach (staff), newest first: read along ``order_by_date`` with the reach
    tested on its entries (``in_order``), so a page stops after its rows whatever the years of orders."""
    orders = ServiceOrder.objects.visible_to(fetched_by, "view", in_order=True).select_related(*ORDER_RELATED)
    return (orders.filter(status=status) if status else orders).order_by("-created_at", "-id")


def order_get(*, fetched_by: User, pk: int) -> ServiceOrder:
    # get(), not first(): one row by its key, with no ORDER BY for the planner to sort it by.
    return get_object_or_404(
        ServiceOrder.objects.visible_to(fetched_by, "view").select_related(*ORDER_RELATED), pk=pk
    )


def shown_resident(order: ServiceOrder, user: User) -> str:
    """The name the orderer goes by: in full for the orderer, the provider and staff; masked otherwise."""
    from gongzhi.community.rules import is_orderer, is_provider, order_staff

    name = order.resident.display_name or order.resident.username
    if is_orderer.test(user, order) or is_provider.test(user, order) or order_staff.test(user, order):
        return name
    return mask_name(name)


RESPONDED = (
    OrderStatus.PROPOSED,
    OrderStatus.ACCEPTED,
    OrderStatus.DECLINED,
    OrderStatus.DONE,
    OrderStatus.CONFIRMED,
)
COMPLETED = (OrderStatus.DONE, OrderStatus.CONFIRMED)


def order_rates(orders: QuerySet[ServiceOrder]) -> dict[str, Any]:
    """Response rate (answered of those not cancelled before an answer), completion rate (done of those
    accepted) and the mean rating."""
    row = orders.aggregate(
        total=Count("pk"),
        responded=Count(
            "pk", filter=Q(status__in=RESPONDED) | Q(status=OrderStatus.CANCELLED, answered_at__isnull=False)
        ),
        unanswered_cancel=Count("pk", filter=Q(status=OrderStatus.CANCELLED, answered_at__isnull=True)),
        accepted=Count("pk", filter=Q(agreed_at__isnull=False)),
        completed=Count("pk", filter=Q(status__in=COMPLETED)),
        rating=Avg("rating"),
    )
    asked = row["total"] - row["unanswered_cancel"]
    return {
        "orders": row["total"],
        "response_rate": round(row["responded"] / asked, 4) if asked else None,
        "completion_rate": round(row["completed"] / row["accepted"], 4) if row["accepted"] else None,
        "rating": round(row["rating"], 2) if row["rating"] is not None else None,
    }


def is_staff_at(user: User, node: Node) -> bool:
    from gongzhi.core.rules import staff_at

    return bool(staff_at.test(user, node))
