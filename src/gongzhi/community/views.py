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
from gongzhi.community.forms import OrderForm, OrderStepForm, ProviderStepForm, TaskUpdateForm
from gongzhi.community.models import LICENSED_KINDS, ProviderStatus, ServiceCategory
from gongzhi.community.rules import is_orderer, is_provider
from gongzhi.core.rules import is_caseworker, is_overseer
from gongzhi.core.web import form_errors_message, role_required, service_call

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
            "nav_current": "service-orders",
        },
    )


@role_required(is_overseer)
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    plans = [
        (p, selectors.plan_summary(fetched_by=request.user, plan=p))
        for p in selectors.plan_list(fetched_by=request.user)[:50]
    ]
    return render(request, "community/plans.html", {"plans": plans, "nav_current": "plans"})


@role_required(is_overseer)
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(fetched_by=request.user, pk=pk)
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
            "nav_current": "plans",
        },
        status=400 if form.errors else 200,
    )


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
