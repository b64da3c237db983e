"""The pages: residents find and order a service (phone width); providers answer their orders; staff review
the directory and follow the action plans on a timeline and in the portfolio."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS as DJANGO_WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.community import selectors, services
from gongzhi.community.errors import CommunityError
from gongzhi.community.forms import (
    CapForm,
    ClosureForm,
    OrderForm,
    OrderStepForm,
    PlanActionForm,
    PlanForm,
    PlanTransitionForm,
    ProviderForm,
    ProviderStepForm,
    ServiceForm,
    TaskForm,
    TaskUpdateForm,
    TypeForm,
    TypingForm,
)
from gongzhi.community.models import LICENSED_KINDS, ProviderStatus, ServiceCategory
from gongzhi.community.pricing import DEFAULT_LOW_COST_CAP
from gongzhi.community.rules import is_orderer, is_provider, manages_plan
from gongzhi.core.rules import is_caseworker, is_manager, is_overseer
from gongzhi.core.web import form_errors_message, role_required, service_call
from gongzhi.orgs.picker import chosen, picker_state

# ISO weekday (1 = Monday) and its name in the user's language (Django's own catalogue).
WEEKDAYS = [(n + 1, name) for n, name in DJANGO_WEEKDAYS.items()]

STEP_LABELS = {
    "order": _lazy("Ordered"),
    "accept": _lazy("Accepted"),
    "propose": _lazy("Another time proposed"),
    "agree": _lazy("Time agreed"),
    "decline": _lazy("Declined"),
    "done": _lazy("Done"),
    "confirm": _lazy("Confirmed and rated"),
    "cancel": _lazy("Cancelled"),
}


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 3 else None


@login_required
def service_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    if category not in ServiceCategory.values:
        category = None
    weekday = _int(request.GET.get("day"))
    weekday = weekday if weekday in range(1, 8) else None
    query = (request.GET.get("q") or "").replace("\x00", "")[:30]
    found = selectors.services_near(fetched_by=request.user, category=category, weekday=weekday, query=query)
    return render(
        request,
        "community/services.html",
        {
            "found": found,
            "categories": ServiceCategory.choices,
            "category": category,
            "weekdays": WEEKDAYS,
            "weekday": weekday,
            "q": query,
            "today": timezone.localdate().isoweekday(),
            "nav_current": "services",
        },
    )


@login_required
def service_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(fetched_by=request.user, pk=pk)
    home = selectors.home_compound(user=request.user)
    form = OrderForm(request.POST or None, request.FILES or None, initial={"day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if home is None:
            messages.error(request, _("Order for the compound where you live."))
        else:
            with service_call(request, form=form) as call:
                order = services.order_place(
                    actor=request.user,
                    service=service,
                    compound=home,
                    wished_at=form.wished_at(),
                    address=form.cleaned_data["address"],
                    for_whom=form.cleaned_data["for_whom"],
                    note=form.cleaned_data["note"],
                    photo=form.cleaned_data["photo"],
                )
            if call.ok:
                messages.success(request, _("Your order is sent. The provider will answer soon."))
                return redirect("community:order", pk=order.pk)
    return render(
        request,
        "community/service.html",
        {
            "service": service,
            "form": form,
            "home": home,
            "days": "、".join(str(dict(WEEKDAYS)[d]) for d in service.days()),
            "nav_current": "services",
        },
        status=400 if form.errors else 200,
    )


@login_required
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    providing = selectors.my_providers(fetched_by=request.user).exists()
    default = "queue" if providing else "all" if staff else "mine"
    view = request.GET.get("view", default)
    if view == "all" and staff:
        orders = selectors.orders_in_reach(fetched_by=request.user)
        rates = selectors.order_rates(orders)
    elif view == "queue":
        orders, rates = selectors.provider_queue(fetched_by=request.user), None
    else:
        view, orders, rates = "mine", selectors.own_orders(fetched_by=request.user), None
    return render(
        request,
        "community/orders.html",
        {
            "orders": [(o, selectors.shown_resident(o, request.user)) for o in orders[:200]],
            "view": view,
            "staff": staff,
            "providing": providing,
            "rates": rates,
            "nav_current": "service-orders" if staff else "services",
        },
    )


@login_required
def order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(fetched_by=request.user, pk=pk)
    if request.method == "POST":
        form = OrderStepForm(request.POST)
        with service_call(request, success=_("Done.")) as call:
            if not form.is_valid():
                raise CommunityError.invalid(form_errors_message(form))
            data = form.cleaned_data
            services.order_transition(
                actor=request.user,
                order=order,
                action=data["action"],
                note=data["note"],
                when=data["when"],
                rating=data["rating"],
                hours=data["hours"],
                price_paid=data["price_paid"],
            )
        if call.ok:
            return redirect("community:order", pk=order.pk)
        order = selectors.order_get(fetched_by=request.user, pk=pk)
    return render(
        request,
        "community/order.html",
        {
            "order": order,
            "resident": selectors.shown_resident(order, request.user),
            "address": order.address
            if request.user.pk in (order.resident_id, order.provider.user_id)
            else order.address_masked,
            "actions": set(services.ORDER_WORKFLOW.available(request.user, order)),
            "is_provider": is_provider.test(request.user, order),
            "is_orderer": is_orderer.test(request.user, order),
            "events": [(e, STEP_LABELS.get(e.action, e.action)) for e in order.events.all()],
            "typed": request.POST if request.method == "POST" else {},
            "nav_current": "services",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def order_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    order = selectors.order_get(fetched_by=request.user, pk=pk)
    if not order.photo:
        raise Http404
    return FileResponse(order.photo.open("rb"))


@role_required(is_caseworker)
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProviderStepForm(request.POST)
        with service_call(request, success=_("Done.")):
            if not form.is_valid():
                raise CommunityError.invalid(form_errors_message(form))
            data = form.cleaned_data
            provider = selectors.provider_get(fetched_by=request.user, pk=data["provider"])
            services.provider_transition(
                actor=request.user,
                provider=provider,
                action=data["action"],
                note=data["note"],
                licence_checked=data["licence_checked"],
            )
        return redirect("community:directory")
    providers = list(selectors.provider_list(fetched_by=request.user)[:300])
    return render(
        request,
        "community/directory.html",
        {
            "pending": [p for p in providers if p.status == ProviderStatus.PENDING],
            "providers": [p for p in providers if p.status != ProviderStatus.PENDING],
            "licensed": LICENSED_KINDS,
            "may_set": is_manager.test(request.user),
            "nav_current": "service-orders",
        },
    )


@role_required(is_overseer)
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    plans = [
        (p, selectors.plan_summary(fetched_by=request.user, plan=p))
        for p in selectors.plan_list(fetched_by=request.user)[:50]
    ]
    return render(
        request,
        "community/plans.html",
        {"plans": plans, "may_plan": is_manager.test(request.user), "nav_current": "plans"},
    )


@role_required(is_manager)
def plan_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Draft a plan: its place, title, years, one step a year and its actions."""
    form = PlanForm(request.POST or None, initial={"start_year": timezone.localdate().year, "years": 3})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(request, success=_("The plan is drafted. Now add its tasks."), form=form) as call:
            plan = services.plan_create(
                actor=request.user,
                node=chosen(user=request.user, purpose="plan", pk=data["node"]),
                title=data["title"],
                summary=data["summary"],
                start_year=data["start_year"],
                years=data["years"],
                steps=form.step_names(),
                actions=form.action_names(),
            )
        if call.ok:
            return redirect("community:plan", pk=plan.pk)
    picker = picker_state(user=request.user, purpose="plan", selected=request.POST.get("node"))
    return render(
        request,
        "community/plan_new.html",
        {"form": form, "picker": picker, "nav_current": "plans"},
        status=400 if form.errors else 200,
    )


@role_required(is_manager)
def plan_task_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a task to a plan: the action and step, the owning place, a person or unit, dates, a weight, and
    optionally a platform figure it follows."""
    plan = selectors.plan_get(fetched_by=request.user, pk=pk)
    if not manages_plan.test(request.user, plan):
        raise Http404
    figures = selectors.figures_for(plan=plan)
    people = selectors.plan_people(fetched_by=request.user, plan=plan)
    form = TaskForm(request.POST or None, plan=plan, people=people, figures=figures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        app, _sep, figure = (data["figure"] or "").partition(":")
        with service_call(request, success=_("The task is added."), form=form) as call:
            services.task_add(
                actor=request.user,
                plan=plan,
                action=next(a for a in plan.actions.all() if a.pk == data["action"]),
                step=next((s for s in plan.steps.all() if s.pk == data["step"]), None),
                node=chosen(user=request.user, purpose="plan", pk=data["node"]),
                title=data["title"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                weight=data["weight"],
                owner_user=next((u for u, _w in people if u.pk == data["owner_user"]), None),
                owner_label=data["owner_label"],
                kpi_app=app,
                kpi_figure=figure,
                indicator=data["indicator"],
                baseline=data["baseline"],
                target=data["target"],
            )
        if call.ok:
            if request.POST.get("more"):
                return redirect("community:plan_task_new", pk=plan.pk)
            return redirect("community:plan", pk=plan.pk)
    picker = picker_state(
        user=request.user, purpose="plan", selected=request.POST.get("node") or plan.node_id
    )
    return render(
        request,
        "community/task_new.html",
        {"plan": plan, "form": form, "picker": picker, "nav_current": "plans"},
        status=400 if form.errors else 200,
    )


@role_required(is_overseer)
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(fetched_by=request.user, pk=pk)
    if request.method == "POST" and request.POST.get("form") in ("transition", "action"):
        return _plan_manage(request, plan)
    form = TaskUpdateForm(request.POST or None)
    if request.method == "POST":
        with service_call(request, success=_("Progress saved.")) as call:
            if not form.is_valid():
                raise CommunityError.invalid(form_errors_message(form))
            task = selectors.task_get(fetched_by=request.user, plan=plan, pk=form.cleaned_data["task"])
            services.task_update(
                actor=request.user,
                task=task,
                progress=form.cleaned_data["progress"],
                evidence=form.cleaned_data["evidence"],
            )
        if call.ok:
            return redirect("community:plan", pk=plan.pk)
    summary = selectors.plan_summary(fetched_by=request.user, plan=plan)
    today = timezone.localdate()
    only_mine = request.GET.get("mine") == "1"
    gantt = [
        {
            "name": f"{t.node.name} · {t.title}",
            "start": t.starts_on.isoformat(),
            "due": t.due_on.isoformat(),
            "progress": t.progress,
            "late": t.is_late(today),
        }
        for t in summary.tasks
        if not only_mine or t.pk in summary.mine
    ]
    return render(
        request,
        "community/plan.html",
        {
            "plan": plan,
            "summary": summary,
            "late_ids": {t.pk for t in summary.late},
            "gantt": {"tasks": gantt, "today": today.isoformat()},
            "only_mine": only_mine,
            "steps": list(plan.steps.all()),
            "actions": set(services.PLAN_WORKFLOW.available(request.user, plan)),
            "manages": manages_plan.test(request.user, plan),
            "nav_current": "plans",
        },
        status=400 if form.errors else 200,
    )


def _plan_manage(request: AuthenticatedHttpRequest, plan) -> HttpResponse:
    """The managers' buttons on a plan's page: launch, close or reopen it; add an action."""
    with service_call(request, success=_("Done.")):
        if request.POST.get("form") == "action":
            form: PlanActionForm | PlanTransitionForm = PlanActionForm(request.POST)
            if not form.is_valid():
                raise CommunityError.invalid(form_errors_message(form))
            services.action_add(actor=request.user, plan=plan, name=form.cleaned_data["name"])
        else:
            form = PlanTransitionForm(request.POST)
            if not form.is_valid():
                raise CommunityError.invalid(form_errors_message(form))
            services.plan_transition(actor=request.user, plan=plan, action=form.cleaned_data["action"])
    return redirect("community:plan", pk=plan.pk)


@role_required(is_overseer)
def plan_portfolio(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(fetched_by=request.user, pk=pk)
    data = selectors.portfolio(fetched_by=request.user, plan=plan)
    rows = [
        (name, cells, data["communities"][name])
        for name, cells in zip(data["types"], data["cells"], strict=True)
    ]
    return render(
        request,
        "community/portfolio.html",
        {"plan": plan, "data": data, "rows": rows, "nav_current": "plans"},
    )


# --- the directory: staff add and correct providers and services, set types and the cap ----------------


@role_required(is_caseworker)
def provider_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Put a provider in the directory; it awaits review like any other."""
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(request, success=_("The provider awaits review."), form=form) as call:
            account = None
            if data["username"]:
                account = selectors.account_named(data["username"].strip())
                if account is None:
                    raise CommunityError.invalid(_("No account has that user name."), field="username")
            provider = services.provider_register(
                actor=request.user,
                node=chosen(user=request.user, purpose="directory", pk=data["node"]),
                kind=data["kind"],
                name=data["name"],
                organisation=data["organisation"],
                licence_no=data["licence_no"],
                intro=data["intro"],
                volunteer=data["volunteer"],
                user=account,
            )
        if call.ok:
            return redirect("community:provider", pk=provider.pk)
    picker = picker_state(user=request.user, purpose="directory", selected=request.POST.get("node"))
    return render(
        request,
        "community/provider_new.html",
        {"form": form, "picker": picker, "nav_current": "service-orders"},
        status=400 if form.errors else 200,
    )


@role_required(is_caseworker)
def provider_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A provider's details to correct, and its services."""
    provider = selectors.provider_get(fetched_by=request.user, pk=pk)
    initial = {
        "name": provider.name,
        "organisation": provider.organisation,
        "licence_no": provider.licence_no,
        "intro": provider.intro,
        "volunteer": provider.volunteer,
    }
    form = ProviderForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        with service_call(request, success=_("Saved."), form=form) as call:
            services.provider_update(actor=request.user, provider=provider, **form.cleaned_data)
        if call.ok:
            return redirect("community:provider", pk=provider.pk)
    return render(
        request,
        "community/provider.html",
        {
            "provider": provider,
            "form": form,
            "services": selectors.provider_services(provider=provider),
            "nav_current": "service-orders",
        },
        status=400 if form.errors else 200,
    )


def _service_form_page(request: AuthenticatedHttpRequest, provider, service=None) -> HttpResponse:
    editing = service is not None
    if service is not None and request.method == "POST" and request.POST.get("form") in ("closure", "reopen"):
        return _closures_post(request, service)
    initial: dict[str, Any] = {"weekdays": [1, 2, 3, 4, 5], "orderable": True, "price_kind": "free"}
    if service is not None:
        initial = {
            name: getattr(service, name)
            for name in (
                "title", "category", "place", "venue", "description", "opens", "closes",
                "eligibility", "documents", "price_kind", "price", "orderable", "active", "follows_workdays",
            )
        }  # fmt: skip
        initial["weekdays"] = service.days()
    form = ServiceForm(request.POST or None, initial=initial, weekdays=WEEKDAYS, editing=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(request, success=_("Saved."), form=form) as call:
            area = chosen(user=request.user, purpose="directory", pk=data["area"])
            if service is None:
                services.service_add(actor=request.user, provider=provider, area=area, **form.values())
            else:
                services.service_update(
                    actor=request.user, service=service, area=area, active=data["active"], **form.values()
                )
        if call.ok:
            return redirect("community:provider", pk=provider.pk)
    selected = request.POST.get("area") or (service.area_id if service else provider.node_id)
    picker = picker_state(user=request.user, purpose="directory", field="area", selected=selected)
    return render(
        request,
        "community/service_form.html",
        {
            "provider": provider,
            "service": service,
            "form": form,
            "picker": picker,
            "closures": selectors.closures_ahead(service=service) if service else [],
            "closure_form": ClosureForm(),
            "nav_current": "service-orders",
        },
        status=400 if form.errors else 200,
    )


def _closures_post(request: AuthenticatedHttpRequest, service) -> HttpResponse:
    with service_call(request, success=_("Saved.")):
        if request.POST.get("form") == "reopen":
            closure = next(
                (
                    c
                    for c in selectors.closures_ahead(service=service)
                    if str(c.pk) == request.POST.get("closure")
                ),
                None,
            )
            if closure is None:
                raise Http404
            services.service_closure_remove(actor=request.user, closure=closure)
        else:
            form = ClosureForm(request.POST)
            if not form.is_valid():
                raise CommunityError.invalid(form_errors_message(form))
            services.service_closure_add(actor=request.user, service=service, **form.cleaned_data)
    return redirect("community:service_edit", pk=service.pk)


@role_required(is_caseworker)
def service_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _service_form_page(request, selectors.provider_get(fetched_by=request.user, pk=pk))


@role_required(is_caseworker)
def service_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_for_staff(fetched_by=request.user, pk=pk)
    return _service_form_page(request, service.provider, service)


@role_required(is_manager)
def directory_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Community and compound types, the type of each place, and the low-cost cap."""
    types = list(selectors.types_of(fetched_by=request.user)[:200])
    type_form = TypeForm(request.POST if request.POST.get("form") == "type" else None)
    typing_form = TypingForm(request.POST if request.POST.get("form") == "typing" else None, types=types)
    cap_form = CapForm(request.POST if request.POST.get("form") == "cap" else None)
    bound = next((f for f in (type_form, typing_form, cap_form) if f.is_bound), None)
    if request.method == "POST" and bound is not None and bound.is_valid():
        data = bound.cleaned_data
        with service_call(request, success=_("Saved."), form=bound) as call:
            if bound is type_form:
                services.type_create(
                    actor=request.user,
                    subdistrict=chosen(user=request.user, purpose="directory", pk=data["subdistrict"]),
                    level=data["level"],
                    name=data["name"],
                    priorities=data["priorities"],
                )
            elif bound is typing_form:
                services.node_type_set(
                    actor=request.user,
                    node=chosen(user=request.user, purpose="directory", pk=data["place"]),
                    community_type=next((t for t in types if t.pk == data["type"]), None),
                )
            else:
                services.price_cap_set(
                    actor=request.user,
                    subdistrict=chosen(user=request.user, purpose="directory", pk=data["capnode"]),
                    cap=data["cap"],
                )
        if call.ok:
            return redirect("community:settings")
    post = request.POST
    return render(
        request,
        "community/settings.html",
        {
            "types": types,
            "typings": list(selectors.typings(fetched_by=request.user)[:300]),
            "caps": list(selectors.price_caps(fetched_by=request.user)[:50]),
            "default_cap": DEFAULT_LOW_COST_CAP,
            "type_form": type_form,
            "typing_form": typing_form,
            "cap_form": cap_form,
            "type_picker": picker_state(
                user=request.user,
                purpose="directory",
                field="subdistrict",
                key="type-sd",
                selected=post.get("subdistrict"),
            ),
            "typing_picker": picker_state(
                user=request.user,
                purpose="directory",
                field="place",
                key="typing-place",
                selected=post.get("place"),
            ),
            "cap_picker": picker_state(
                user=request.user,
                purpose="directory",
                field="capnode",
                key="cap-sd",
                selected=post.get("capnode"),
            ),
            "nav_current": "service-orders",
        },
        status=400 if bound is not None and bound.errors else 200,
    )
