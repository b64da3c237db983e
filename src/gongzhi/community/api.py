"""The JSON API: /plans (action plans, tasks, the portfolio), /services (the directory, providers, types)
and /service-orders (ordering a service and its steps)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.community import selectors, services
from gongzhi.community.errors import CommunityError
from gongzhi.community.models import PriceKind, ProviderKind, ServiceCategory, ServicePlace
from gongzhi.core.schemas import ErrorOut, LocalTime
from gongzhi.orgs.selectors import node_get, user_for_assignment

router = Router(tags=["community"])


# --- plans -----------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    action: str
    step: str | None
    node_id: int
    node_name: str
    owner: str
    title: str
    starts_on: date
    due_on: date
    weight: int
    progress: int
    late: bool
    bound: bool
    indicator: str
    measured: float | None
    target: float | None
    may_update: bool


class PlanActionOut(Schema):
    id: int
    name: str
    progress: float | None
    tasks: int


class ActionPlanOut(Schema):
    id: int
    node_id: int
    node_name: str
    title: str
    summary: str
    start_year: int
    end_year: int
    status: str
    progress: float | None = Field(description="weighted mean of the tasks' progress, percent")
    late: int
    steps: list[dict]
    actions: list[PlanActionOut]
    tasks: list[TaskOut]


class PlanBriefOut(Schema):
    id: int
    node_name: str
    title: str
    start_year: int
    end_year: int
    status: str


class TaskUpdateIn(Schema):
    progress: int = Field(ge=0, le=100)
    evidence: str = Field(max_length=500)


class PlanTransitionIn(Schema):
    action: Literal["launch", "close", "reopen"]
    note: str = Field("", max_length=300)


Name60 = Annotated[str, Field(min_length=1, max_length=60)]


class ActionPlanIn(Schema):
    node_id: int = Field(description="the place the plan is for (a manager over it drafts it)")
    title: str = Field(max_length=100)
    summary: str = Field("", max_length=500)
    start_year: int = Field(ge=2000, le=2100)
    years: int = Field(3, ge=1, le=10)
    steps: list[Name60] | None = Field(
        None, max_length=10, description="one name a year; 'Year n' if left out"
    )
    actions: list[Name60] = Field([], max_length=20)


class PlanActionIn(Schema):
    name: str = Field(max_length=60)


class PlanTaskIn(Schema):
    action_id: int
    step_id: int | None = None
    node_id: int = Field(description="the owning place, within the plan's area")
    title: str = Field(max_length=100)
    starts_on: date
    due_on: date
    weight: int = Field(1, ge=1, le=100)
    owner_user_id: int | None = Field(None, description="a person working at the place")
    owner_label: str = Field("", max_length=60, description="a unit or team")
    kpi_app: str = Field("", max_length=40, description="with kpi_figure: a figure of /plans/{id}/figures")
    kpi_figure: str = Field("", max_length=40)
    indicator: str = Field("", max_length=60)
    baseline: float | None = Field(None, ge=-1e12, le=1e12, allow_inf_nan=False)
    target: float | None = Field(None, ge=-1e12, le=1e12, allow_inf_nan=False)


class PlanFigureOut(Schema):
    app: str
    app_label: str
    figure: str
    figure_label: str = Field(description="the figure's name, as its module declares it")
    value: float


def _task_out(task, summary) -> dict:
    return {
        "id": task.pk,
        "action": task.action.name,
        "step": task.step.name if task.step else None,
        "node_id": task.node_id,
        "node_name": task.node.name,
        "owner": task.owner_label or (task.owner_user.display_name if task.owner_user else ""),
        "title": task.title,
        "starts_on": task.starts_on,
        "due_on": task.due_on,
        "weight": task.weight,
        "progress": task.progress,
        "late": task in summary.late,
        "bound": task.bound,
        "indicator": task.indicator,
        "measured": task.measured,
        "target": task.target,
        "may_update": task.pk in summary.mine and not task.bound,
    }


def _plan_out(plan, user) -> dict:
    summary = selectors.plan_summary(fetched_by=user, plan=plan)
    return {
        "id": plan.pk,
        "node_id": plan.node_id,
        "node_name": plan.node.name,
        "title": plan.title,
        "summary": plan.summary,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "status": plan.status,
        "progress": summary.progress,
        "late": len(summary.late),
        "steps": [
            {"id": s.pk, "name": s.name, "starts_on": s.starts_on, "ends_on": s.ends_on}
            for s in plan.steps.all()
        ],
        "actions": [{"id": a.pk, "name": a.name, "progress": p, "tasks": n} for a, p, n in summary.by_action],
        "tasks": [_task_out(t, summary) for t in summary.tasks],
    }


@router.get("/plans", response=list[PlanBriefOut])
def plans(request: AuthenticatedHttpRequest):
    """The action plans in your reach, and those in which your place owns tasks."""
    return [
        {
            "id": p.pk,
            "node_name": p.node.name,
            "title": p.title,
            "start_year": p.start_year,
            "end_year": p.end_year,
            "status": p.status,
        }
        for p in selectors.plan_list(fetched_by=request.user)[:200]
    ]


@router.post("/plans", response={201: ActionPlanOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def plan_add(request: AuthenticatedHttpRequest, data: ActionPlanIn):
    """Draft a plan for a place you manage: its years, one step a year and its actions."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    plan = services.plan_create(
        actor=request.user,
        node=node,
        title=data.title,
        summary=data.summary,
        start_year=data.start_year,
        years=data.years,
        steps=data.steps,
        actions=data.actions,
    )
    return Status(201, _plan_out(plan, request.user))


@router.get("/plans/{plan_id}", response={200: ActionPlanOut, 404: ErrorOut})
def plan(request: AuthenticatedHttpRequest, plan_id: int):
    """A plan with its steps, actions and tasks; progress is the weighted mean of the tasks' progress."""
    return _plan_out(selectors.plan_get(fetched_by=request.user, pk=plan_id), request.user)


@router.get("/plans/{plan_id}/portfolio", response={200: dict, 404: ErrorOut})
def plan_portfolio(request: AuthenticatedHttpRequest, plan_id: int):
    """Progress across the communities owning the plan's tasks, by community type (rows) and action."""
    return selectors.portfolio(
        fetched_by=request.user, plan=selectors.plan_get(fetched_by=request.user, pk=plan_id)
    )


@router.get("/plans/{plan_id}/figures", response={200: list[PlanFigureOut], 404: ErrorOut})
def plan_figures(request: AuthenticatedHttpRequest, plan_id: int):
    """The platform figures (modules' KPIs) a task of the plan can follow, with their value now."""
    plan = selectors.plan_get(fetched_by=request.user, pk=plan_id)
    return [
        {"app": f.app, "app_label": f.label, "figure": f.figure, "figure_label": f.name, "value": f.value}
        for f in selectors.figures_for(plan=plan)
    ]


@router.post(
    "/plans/{plan_id}/actions",
    response={201: PlanActionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def plan_action_add(request: AuthenticatedHttpRequest, plan_id: int, data: PlanActionIn):
    """One more action under the plan (its managers; not once closed)."""
    plan = selectors.plan_get(fetched_by=request.user, pk=plan_id)
    action = services.action_add(actor=request.user, plan=plan, name=data.name)
    return Status(201, {"id": action.pk, "name": action.name, "progress": None, "tasks": 0})


@router.post(
    "/plans/{plan_id}/tasks",
    response={201: TaskOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def plan_task_add(request: AuthenticatedHttpRequest, plan_id: int, data: PlanTaskIn):
    """A task under one of the plan's actions: the owning place, a person or a unit, dates, a weight, and
    optionally a figure to follow (with a baseline and a target)."""
    plan = selectors.plan_get(fetched_by=request.user, pk=plan_id)
    action = next((a for a in plan.actions.all() if a.pk == data.action_id), None)
    step = next((s for s in plan.steps.all() if s.pk == data.step_id), None)
    if action is None or (data.step_id is not None and step is None):
        raise CommunityError.invalid(_("Choose an action and a step of this plan."), field="action_id")
    node = node_get(fetched_by=request.user, pk=data.node_id)
    owner = user_for_assignment(pk=data.owner_user_id) if data.owner_user_id is not None else None
    task = services.task_add(
        actor=request.user,
        plan=plan,
        action=action,
        step=step,
        node=node,
        title=data.title,
        starts_on=data.starts_on,
        due_on=data.due_on,
        weight=data.weight,
        owner_user=owner,
        owner_label=data.owner_label,
        kpi_app=data.kpi_app,
        kpi_figure=data.kpi_figure,
        indicator=data.indicator,
        baseline=data.baseline,
        target=data.target,
    )
    summary = selectors.plan_summary(fetched_by=request.user, plan=plan)
    return Status(201, _task_out(next(t for t in summary.tasks if t.pk == task.pk), summary))


@router.post(
    "/plans/{plan_id}/tasks/{task_id}/progress",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def task_progress(request: AuthenticatedHttpRequest, plan_id: int, task_id: int, data: TaskUpdateIn):
    """The task's owner reports progress (0–100) with evidence. Tasks bound to a figure answer 409."""
    plan = selectors.plan_get(fetched_by=request.user, pk=plan_id)
    task = selectors.task_get(fetched_by=request.user, plan=plan, pk=task_id)
    task = services.task_update(actor=request.user, task=task, progress=data.progress, evidence=data.evidence)
    summary = selectors.plan_summary(fetched_by=request.user, plan=plan)
    task = next(t for t in summary.tasks if t.pk == task.pk)
    return _task_out(task, summary)


@router.post(
    "/plans/{plan_id}/transitions",
    response={200: ActionPlanOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def plan_step(request: AuthenticatedHttpRequest, plan_id: int, data: PlanTransitionIn):
    """launch (a draft with tasks), close, reopen: the managers over the plan's place."""
    plan = selectors.plan_get(fetched_by=request.user, pk=plan_id)
    plan = services.plan_transition(actor=request.user, plan=plan, action=data.action, note=data.note)
    return _plan_out(plan, request.user)


# --- the directory ---------------------------------------------------------------------------------------


class DirectoryServiceOut(Schema):
    id: int
    title: str
    category: str
    category_label: str
    description: str
    provider: str
    provider_kind: str
    place: str
    venue: str
    weekdays: list[int]
    opens: LocalTime | None
    closes: LocalTime | None
    eligibility: str
    documents: str
    price_kind: str
    price: Decimal | None
    area: str
    orderable: bool
    distance_km: float | None = None


class DirectoryServiceIn(Schema):
    provider_id: int
    area_id: int = Field(description="the compound, community or subdistrict the service serves")
    category: Literal[tuple(ServiceCategory.values)]  # type: ignore[valid-type]
    title: str = Field(max_length=60)
    place: Literal[tuple(ServicePlace.values)]  # type: ignore[valid-type]
    description: str = Field("", max_length=500)
    venue: str = Field("", max_length=100)
    weekdays: list[int] = Field([1, 2, 3, 4, 5], min_length=1, max_length=7)
    opens: LocalTime | None = None
    closes: LocalTime | None = None
    eligibility: str = Field("", max_length=200)
    documents: str = Field("", max_length=300)
    price_kind: Literal[tuple(PriceKind.values)] = "free"  # type: ignore[valid-type]
    price: Decimal | None = Field(None, ge=0, le=99999, max_digits=7, decimal_places=2)
    follows_workdays: bool = Field(False, description="closed on public holidays, open on make-up workdays")
    orderable: bool = True


class ProviderOut(Schema):
    id: int
    node_id: int
    node_name: str
    kind: str
    name: str
    organisation: str
    licence_no: str
    licence_checked: bool
    status: str
    volunteer: bool


class ProviderIn(Schema):
    node_id: int
    kind: Literal[tuple(ProviderKind.values)]  # type: ignore[valid-type]
    name: str = Field(max_length=60)
    organisation: str = Field("", max_length=60)
    licence_no: str = Field("", max_length=40)
    intro: str = Field("", max_length=300)
    volunteer: bool = False


class ProviderTransitionIn(Schema):
    action: Literal["list", "reject", "suspend"]
    note: str = Field("", max_length=300)
    licence_checked: bool = Field(
        False, description="the reviewer checked the licence number (doctors, teachers, lawyers)"
    )


class TypeOut(Schema):
    id: int
    subdistrict: str
    level: str
    name: str
    priorities: str


def _service_out(service, distance=None) -> dict:
    return {
        "id": service.pk,
        "title": service.title,
        "category": service.category,
        "category_label": str(service.get_category_display()),
        "description": service.description,
        "provider": service.provider.name,
        "provider_kind": service.provider.kind,
        "place": service.place,
        "venue": service.venue,
        "weekdays": service.days(),
        "opens": service.opens,
        "closes": service.closes,
        "eligibility": service.eligibility,
        "documents": service.documents,
        "price_kind": service.price_kind,
        "price": service.price,
        "area": service.area.name,
        "orderable": service.orderable,
        "distance_km": distance,
    }


def _provider_out(provider) -> dict:
    return {
        "id": provider.pk,
        "node_id": provider.node_id,
        "node_name": provider.node.name,
        "kind": provider.kind,
        "name": provider.name,
        "organisation": provider.organisation,
        "licence_no": provider.licence_no,
        "licence_checked": provider.licence_checked_at is not None,
        "status": provider.status,
        "volunteer": provider.volunteer,
    }


@router.get("/services", response={200: list[DirectoryServiceOut], 422: ErrorOut})
def services_list(
    request: AuthenticatedHttpRequest,
    category: Literal[tuple(ServiceCategory.values)] | None = None,  # type: ignore[valid-type]
    weekday: int | None = None,
    q: str = "",
):
    """Listed services offered where you live, nearest first; by category, day of the week (1 = Monday)
    and words of the name (at most 30 characters)."""
    if weekday is not None and not 1 <= weekday <= 7:
        raise CommunityError.invalid(_("A day of the week is 1 (Monday) to 7 (Sunday)."), field="weekday")
    if len(q) > 30:
        raise CommunityError.invalid(_("Search with at most 30 characters."), field="q")
    found = selectors.services_near(
        fetched_by=request.user, category=category, weekday=weekday, query=q.replace("\x00", "")
    )
    return [_service_out(s, d) for s, d in found]


@router.post(
    "/services",
    response={201: DirectoryServiceOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def service_add(request: AuthenticatedHttpRequest, data: DirectoryServiceIn):
    """Staff add a listed provider's service; a low-cost price above the subdistrict's cap answers 422."""
    provider = selectors.provider_get(fetched_by=request.user, pk=data.provider_id)
    area = node_get(fetched_by=request.user, pk=data.area_id)
    service = services.service_add(
        actor=request.user,
        provider=provider,
        area=area,
        category=data.category,
        title=data.title,
        place=data.place,
        description=data.description,
        venue=data.venue,
        weekdays=data.weekdays,
        opens=data.opens,
        closes=data.closes,
        eligibility=data.eligibility,
        documents=data.documents,
        price_kind=data.price_kind,
        price=data.price,
        follows_workdays=data.follows_workdays,
        orderable=data.orderable,
    )
    return Status(201, _service_out(service))


@router.get("/services/providers", response=list[ProviderOut])
def providers(
    request: AuthenticatedHttpRequest,
    status: Literal["pending", "listed", "rejected", "suspended"] | None = None,
):
    """Providers in your reach (staff), e.g. those awaiting review."""
    return [_provider_out(p) for p in selectors.provider_list(fetched_by=request.user, status=status)[:500]]


@router.post("/services/providers", response={201: ProviderOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def provider_register(request: AuthenticatedHttpRequest, data: ProviderIn):
    """Put a provider in the directory, awaiting review (staff; or a resident offering their own skills)."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    provider = services.provider_register(
        actor=request.user,
        node=node,
        kind=data.kind,
        name=data.name,
        organisation=data.organisation,
        licence_no=data.licence_no,
        intro=data.intro,
        volunteer=data.volunteer,
        user=request.user if not selectors.is_staff_at(request.user, node) else None,
    )
    return Status(201, _provider_out(provider))


@router.post(
    "/services/providers/{provider_id}/transitions",
    response={200: ProviderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def provider_step(request: AuthenticatedHttpRequest, provider_id: int, data: ProviderTransitionIn):
    """list (doctors, teachers and lawyers only with a checked licence number), reject, suspend."""
    provider = selectors.provider_get(fetched_by=request.user, pk=provider_id)
    provider = services.provider_transition(
        actor=request.user,
        provider=provider,
        action=data.action,
        note=data.note,
        licence_checked=data.licence_checked,
    )
    return _provider_out(provider)


@router.get("/services/types", response=list[TypeOut])
def community_types(request: AuthenticatedHttpRequest):
    """The community and compound types of the subdistricts around you."""
    return [
        {"id": t.pk, "subdistrict": t.node.name, "level": t.level, "name": t.name, "priorities": t.priorities}
        for t in selectors.types_of(fetched_by=request.user)[:200]
    ]


@router.get("/services/{service_id}", response={200: DirectoryServiceOut, 404: ErrorOut})
def service(request: AuthenticatedHttpRequest, service_id: int):
    return _service_out(selectors.service_get(fetched_by=request.user, pk=service_id))


# --- orders ----------------------------------------------------------------------------------------------


class ServiceOrderOut(Schema):
    id: int
    service_id: int
    service: str
    provider: str
    resident: str = Field(description="in full for the orderer, the provider and staff; masked otherwise")
    for_whom: str
    wished_at: datetime
    proposed_at: datetime | None
    agreed_at: datetime | None
    address: str
    note: str
    status: str
    reply: str
    price_paid: Decimal | None
    hours: Decimal | None
    points: int
    rating: int | None
    comment: str
    actions: list[str]


class ServiceOrderIn(Schema):
    service_id: int
    node_id: int = Field(description="the compound where you live")
    wished_at: datetime
    address: str = Field("", max_length=120)
    for_whom: str = Field("", max_length=20)
    note: str = Field("", max_length=300)


class ServiceOrderTransitionIn(Schema):
    action: Literal["accept", "propose", "agree", "decline", "done", "confirm", "cancel"]
    note: str = Field("", max_length=300)
    when: datetime | None = Field(None, description="propose: the time offered")
    rating: int | None = Field(None, ge=1, le=5, description="confirm: one to five stars")
    hours: Decimal | None = Field(None, ge=0, le=24, max_digits=4, decimal_places=2)
    price_paid: Decimal | None = Field(None, ge=0, le=99999, max_digits=7, decimal_places=2)


def _order_out(order, user) -> dict:
    return {
        "id": order.pk,
        "service_id": order.service_id,
        "service": order.service.title,
        "provider": order.provider.name,
        "resident": selectors.shown_resident(order, user),
        "for_whom": order.for_whom,
        "wished_at": order.wished_at,
        "proposed_at": order.proposed_at,
        "agreed_at": order.agreed_at,
        "address": order.address
        if user.pk in (order.resident_id, order.provider.user_id)
        else order.address_masked,
        "note": order.note,
        "status": order.status,
        "reply": order.reply,
        "price_paid": order.price_paid,
        "hours": order.hours,
        "points": order.points,
        "rating": order.rating,
        "comment": order.comment,
        "actions": services.ORDER_WORKFLOW.available(user, order),
    }


@router.get("/service-orders", response=list[ServiceOrderOut])
def orders(request: AuthenticatedHttpRequest, view: Literal["mine", "queue", "all"] = "mine"):
    """Your orders; the queue of the providers you answer for; or (staff) every order in your reach."""
    pick = {
        "mine": selectors.own_orders,
        "queue": selectors.provider_queue,
        "all": selectors.orders_in_reach,
    }[view]
    return [_order_out(o, request.user) for o in pick(fetched_by=request.user)[:200]]


@router.get("/service-orders/rates", response=dict)
def order_rates(request: AuthenticatedHttpRequest):
    """Response and completion rates and the mean rating of the orders in your reach (staff)."""
    return selectors.order_rates(selectors.orders_in_reach(fetched_by=request.user))


@router.post(
    "/service-orders",
    response={201: ServiceOrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def order_place(request: AuthenticatedHttpRequest, data: ServiceOrderIn):
    """Order a listed service offered where you live, for a time in the next 60 days."""
    service = selectors.service_get(fetched_by=request.user, pk=data.service_id)
    compound = node_get(fetched_by=request.user, pk=data.node_id)
    order = services.order_place(
        actor=request.user,
        service=service,
        compound=compound,
        wished_at=data.wished_at,
        address=data.address.replace("\x00", ""),
        for_whom=data.for_whom.replace("\x00", ""),
        note=data.note.replace("\x00", ""),
    )
    return Status(201, _order_out(order, request.user))


@router.get("/service-orders/{order_id}", response={200: ServiceOrderOut, 404: ErrorOut})
def order(request: AuthenticatedHttpRequest, order_id: int):
    return _order_out(selectors.order_get(fetched_by=request.user, pk=order_id), request.user)


@router.post(
    "/service-orders/{order_id}/transitions",
    response={200: ServiceOrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def order_step(request: AuthenticatedHttpRequest, order_id: int, data: ServiceOrderTransitionIn):
    """accept / propose (a time) / decline (why) / done (hours for a volunteer, the price paid otherwise):
    the provider; agree (to the time proposed) / confirm (with a rating) / cancel: the resident."""
    order = selectors.order_get(fetched_by=request.user, pk=order_id)
    order = services.order_transition(
        actor=request.user,
        order=order,
        action=data.action,
        note=data.note.replace("\x00", ""),
        when=data.when,
        rating=data.rating,
        hours=data.hours,
        price_paid=data.price_paid,
    )
    return _order_out(order, request.user)
