"""The points mall and "my points" pages: residents at phone width, staff for stock, orders and awards."""

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.rules import is_caseworker
from gongzhi.core.web import form_errors_message, service_call
from gongzhi.ledger import earning, mall, selectors
from gongzhi.ledger.errors import LedgerError
from gongzhi.ledger.forms import (
    AwardDecisionForm,
    AwardProposalForm,
    EarningRuleForm,
    ItemForm,
    OfferForm,
    OrderForm,
    OrderPreviewForm,
    OrderStepForm,
    StockForm,
)
from gongzhi.ledger.models import DEFAULT_MULTIPLIERS, ItemKind
from gongzhi.orgs.picker import chosen, picker_state
from gongzhi.orgs.selectors import node_get, subdistrict_of

# The roles a subdistrict's rule multiplies, in the order the form shows them.
MULTIPLIER_ROLES = [
    ("volunteer", gettext_lazy("Volunteer")),
    ("party_member", gettext_lazy("Party member")),
    ("leader", gettext_lazy("Team leader")),
]


@login_required
def mall_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "ledger/mall.html",
        {
            "items": selectors.mall_items(fetched_by=request.user, kind=request.GET.get("kind") or None)[
                :200
            ],
            "accounts": list(selectors.own_accounts(fetched_by=request.user)),
            "kinds": ItemKind.choices,
            "kind": request.GET.get("kind", ""),
            "staff": is_caseworker.test(request.user),
        },
    )


@login_required
def mall_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Before any point is spent: what it costs, what is left, where and when to pick it up, and the
    balance after the order; one button confirms."""
    item = selectors.mall_item_get(fetched_by=request.user, pk=pk)
    form = OrderPreviewForm(request.GET)
    quantity = (form.cleaned_data.get("quantity") if form.is_valid() else None) or 1
    return render(request, "ledger/confirm.html", _confirm_context(request, item, quantity))


def _confirm_context(request: AuthenticatedHttpRequest, item, quantity: int) -> dict[str, Any]:
    balance = selectors.own_balance(fetched_by=request.user, subdistrict_id=item.subdistrict_id)
    had = selectors.own_active_quantity(fetched_by=request.user, item=item)
    left_for_me = None if item.limit_per_person is None else max(0, item.limit_per_person - had)
    total = item.price * quantity
    problem = ""
    if not item.stock:
        problem = _("Sold out.")
    elif quantity > item.stock:
        problem = _("Only %(n)d left.") % {"n": item.stock}
    elif left_for_me is not None and quantity > left_for_me:
        problem = _("Each person may take at most %(n)d of this item; you have %(had)d.") % {
            "n": item.limit_per_person,
            "had": had,
        }
    elif balance < total:
        problem = _("Not enough points: this costs %(total)d, you have %(balance)d.") % {
            "total": total,
            "balance": balance,
        }
    return {
        "item": item,
        "quantity": quantity,
        "total": total,
        "balance": balance,
        "after": balance - total,
        "had": had,
        "left_for_me": left_for_me,
        "problem": problem,
        "order_key": uuid4().hex,
    }


@login_required
@require_POST
def mall_order(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.mall_item_get(fetched_by=request.user, pk=pk)
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("mall:confirm", pk=item.pk)
    data = form.cleaned_data
    if not data["confirm"]:
        # The web spends points only from the confirmation page.
        return redirect(f"{reverse('mall:confirm', args=[item.pk])}?quantity={data['quantity']}")
    with service_call(request) as call:
        order, created = mall.order_place(
            actor=request.user, item=item, quantity=data["quantity"], client_key=data["client_key"]
        )
    if not call.ok:
        context = _confirm_context(request, item, max(1, min(data["quantity"], 20)))
        return render(request, "ledger/confirm.html", context, status=409)
    if created:
        messages.success(
            request, _("Ordered: %(item)s. The points are paid; staff will confirm.") % {"item": item.name}
        )
    return redirect("mall:order_detail", pk=order.pk)


@login_required
def mall_order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One order: where it stands, what happens next, where and when to pick it up."""
    order = selectors.order_get(fetched_by=request.user, pk=pk)
    actions = set(mall.order_actions(user=request.user, order=order))
    return render(
        request,
        "ledger/order.html",
        {"order": order, "actions": actions, "mine": order.buyer_id == request.user.pk},
    )


def _with_actions(orders, user) -> list:
    """The orders, each with the steps ``user`` may take on it now (the buttons beside it)."""
    rows = list(orders)
    for order in rows:
        order.actions = set(mall.order_actions(user=user, order=order))
    return rows


@login_required
def mall_orders(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "ledger/orders.html",
        {
            "orders": _with_actions(selectors.own_orders(fetched_by=request.user)[:100], request.user),
            "entries": selectors.own_entries(fetched_by=request.user)[:30],
            "accounts": list(selectors.own_accounts(fetched_by=request.user)),
        },
    )


@login_required
@require_POST
def mall_order_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(fetched_by=request.user, pk=pk)
    form = OrderStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("mall:orders")
    data = form.cleaned_data
    done = {
        "approve": _("Approved: the buyer is told the pickup code."),
        "pick_up": _("Handed over."),
        "reject": _("Rejected: the points are back with the buyer."),
        "cancel": _("Cancelled: your points are back."),
    }
    with service_call(request, success=done.get(data["action"], _("Done."))) as call:
        mall.order_transition(
            actor=request.user, order=order, action=data["action"], note=data["note"], code=data["code"]
        )
    target = data["next"]
    if not call.ok and target == reverse("mall:manage"):
        # Refused at the counter: the staff page again, with the code or reason that was typed.
        return _manage_page(request, typed={**request.POST.dict(), "order": str(order.pk)})
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("mall:orders")


@login_required
def mall_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_caseworker.test(request.user):
        return redirect("mall:index")
    if request.method == "POST" and _manage_post(request):
        return redirect("mall:manage")
    return _manage_page(request, typed=request.POST if request.method == "POST" else {})


def _awards(request: AuthenticatedHttpRequest) -> list:
    """Pending awards, each saying whether the user may decide it (never their own)."""
    rows = list(selectors.awards_pending(fetched_by=request.user)[:100])
    for award in rows:
        award.may_decide = earning.may_decide_award(request.user, award)  # type: ignore[attr-defined]
    return rows


@login_required
def people_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """People in the user's reach, found by name or phone number, for the award form (htmx)."""
    if not is_caseworker.test(request.user):
        return HttpResponse(status=403)
    query = request.GET.get("who", "")
    found = selectors.people_in_reach(fetched_by=request.user, query=query)
    return render(request, "ledger/_people.html", {"found": found, "query": query.strip()})


def _manage_page(request: AuthenticatedHttpRequest, *, typed) -> HttpResponse:
    """Stock, orders, awards and the earning rule; after a refused form, with the message and what was typed."""
    return render(
        request,
        "ledger/manage.html",
        {
            "items": selectors.mall_items_managed(fetched_by=request.user)[:200],
            "stock_chart": selectors.mall_stock_chart(fetched_by=request.user),
            "queue": _with_actions(selectors.order_queue(fetched_by=request.user)[:200], request.user),
            "awards": _awards(request),
            "kinds": ItemKind.choices,
            "item_picker": picker_state(
                user=request.user, purpose="mall", key="item-node", selected=_typed(typed, "item", "node")
            ),
            "award_picker": picker_state(
                user=request.user, purpose="mall", key="award-node", selected=_typed(typed, "propose", "node")
            ),
            "recipient": _typed_recipient(request, typed),
            "rules": [
                _rule_form(sub, policy, typed)
                for sub, policy in selectors.earning_rules_to_set(fetched_by=request.user)
            ],
            "typed": typed,
        },
        status=400 if typed else 200,
    )


def _typed(typed, form: str, name: str) -> str | None:
    return typed.get(name) if typed.get("form") == form else None


def _typed_recipient(request: AuthenticatedHttpRequest, typed):
    """The person chosen on a refused award proposal, to show them again."""
    pk = _typed(typed, "propose", "recipient") or ""
    if not pk.isdigit():
        return None
    return selectors.person_in_reach(fetched_by=request.user, pk=int(pk))


def _rule_form(subdistrict, policy, typed) -> dict[str, Any]:
    """The values the earning-rule form shows: the rule in force, or what was just typed and refused."""
    mine = typed.get("form") == "rule" and typed.get("subdistrict") == str(subdistrict.pk)

    def shown(name: str, saved: Any) -> Any:
        return typed.get(name, "") if mine else saved

    return {
        "subdistrict": subdistrict,
        "policy": policy,
        "points_per_hour": shown("points_per_hour", policy.points_per_hour),
        "max_award": shown("max_award", policy.max_award),
        "multipliers": [
            (role, label, shown(f"m_{role}", f"{policy.multipliers.get(role, DEFAULT_MULTIPLIERS[role]):g}"))
            for role, label in MULTIPLIER_ROLES
        ],
    }


def _item(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> None:
    mall.item_create(
        actor=request.user,
        node=chosen(user=request.user, purpose="mall", pk=data["node"]),
        name=data["name"],
        price=data["price"],
        stock=data["stock"] or 0,
        kind=data["kind"] or ItemKind.GOODS,
        provider=data["provider"],
        limit_per_person=data["limit"],
        pickup_place=data["pickup_place"],
        pickup_hours=data["pickup_hours"],
    )


def _stock(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> None:
    item = selectors.mall_item_get(fetched_by=request.user, pk=data["item"], action="manage")
    mall.item_restock(actor=request.user, item=item, delta=data["delta"])


def _offer(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> None:
    item = selectors.mall_item_get(fetched_by=request.user, pk=data["item"], action="manage")
    mall.item_update(actor=request.user, item=item, is_active=data["active"])


def _propose(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> None:
    place = chosen(user=request.user, purpose="mall", pk=data["node"])
    subdistrict = subdistrict_of(place)
    if data["recipient"]:
        recipient = (
            selectors.award_recipient(pk=data["recipient"], subdistrict=subdistrict) if subdistrict else None
        )
    elif data["username"]:
        recipient = (
            selectors.award_recipient(username=data["username"], subdistrict=subdistrict)
            if subdistrict
            else None
        )
    else:
        raise LedgerError.invalid(
            _("Find the person by name or phone number and choose them."), field="recipient"
        )
    if subdistrict is None or recipient is None:
        raise LedgerError.invalid(
            _("Nobody of that name lives or serves in this subdistrict."), field="recipient"
        )
    earning.award_propose(
        actor=request.user,
        subdistrict=subdistrict,
        recipient=recipient,
        amount=data["amount"],
        reason=data["reason"],
        node=place,
    )


def _rule(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> None:
    earning.earning_policy_set(
        actor=request.user,
        subdistrict=node_get(fetched_by=request.user, pk=data["subdistrict"]),
        points_per_hour=data["points_per_hour"],
        multipliers={role: data[f"m_{role}"] for role, _label in MULTIPLIER_ROLES},
        max_award=data["max_award"],
    )


def _award(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> None:
    award = selectors.award_get(fetched_by=request.user, pk=data["award"])
    earning.award_decide(actor=request.user, award=award, approve=data["decision"] == "approve")


STAFF_FORMS: dict[
    str, tuple[type[forms.Form], Callable[[AuthenticatedHttpRequest, dict[str, Any]], None]]
] = {
    "item": (ItemForm, _item),
    "stock": (StockForm, _stock),
    "offer": (OfferForm, _offer),
    "propose": (AwardProposalForm, _propose),
    "rule": (EarningRuleForm, _rule),
    "award": (AwardDecisionForm, _award),
}


def _manage_post(request: AuthenticatedHttpRequest) -> bool:
    """One of the staff page's forms: checked, then its service run; either way a message says how it went.
    Whether it went through."""
    kind = STAFF_FORMS.get(request.POST.get("form", ""))
    if kind is None:
        messages.error(request, _("Unknown action."))
        return False
    form_class, handle = kind
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return False
    with service_call(request, success=_("Saved.")) as call:
        handle(request, form.cleaned_data)
    return call.ok
