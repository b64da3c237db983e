"""The points mall and "my points" pages: residents at phone width, staff for stock, orders and awards."""

from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ServiceError
from gongzhi.core.http import AuthenticatedHttpRequest, posted_int, posted_number
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.ledger import earning, mall, selectors
from gongzhi.ledger.models import DEFAULT_MULTIPLIERS, ItemKind
from gongzhi.ledger.services import LedgerError
from gongzhi.orgs.models import NodeKind
from gongzhi.orgs.selectors import node_get

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
            "order_key": uuid4().hex,
            "staff": has_role(request.user, CASEWORK_ROLES),
        },
    )


@login_required
@require_POST
def mall_order(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.mall_item_get(fetched_by=request.user, pk=pk)
    quantity = posted_int(request.POST.get("quantity"), 0)
    try:
        _order, created = mall.order_place(
            actor=request.user, item=item, quantity=quantity, client_key=request.POST.get("client_key", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("mall:index")
    if created:
        messages.success(
            request, _("Ordered: %(item)s. The points are paid; staff will confirm.") % {"item": item.name}
        )
    return redirect("mall:orders")


@login_required
def mall_orders(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "ledger/orders.html",
        {
            "orders": selectors.own_orders(fetched_by=request.user)[:100],
            "entries": selectors.own_entries(fetched_by=request.user)[:30],
            "accounts": list(selectors.own_accounts(fetched_by=request.user)),
        },
    )


@login_required
@require_POST
def mall_order_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(fetched_by=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        mall.order_transition(
            actor=request.user,
            order=order,
            action=action,
            note=request.POST.get("note", ""),
            code=request.POST.get("code", ""),
        )
        messages.success(request, _("Done."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "mall:orders")


@login_required
def mall_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, CASEWORK_ROLES):
        return redirect("mall:index")
    if request.method == "POST":
        try:
            _manage_post(request)
            messages.success(request, _("Saved."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("mall:manage")
    return render(
        request,
        "ledger/manage.html",
        {
            "items": selectors.mall_items_managed(fetched_by=request.user)[:200],
            "queue": selectors.order_queue(fetched_by=request.user)[:200],
            "awards": selectors.awards_pending(fetched_by=request.user)[:100],
            "kinds": ItemKind.choices,
            "places": selectors.places_for_items(fetched_by=request.user),
            "rules": [
                {
                    "subdistrict": sub,
                    "policy": policy,
                    "multipliers": [
                        (role, label, policy.multipliers.get(role, DEFAULT_MULTIPLIERS[role]))
                        for role, label in MULTIPLIER_ROLES
                    ],
                }
                for sub, policy in selectors.earning_rules_to_set(fetched_by=request.user)
            ],
        },
    )


def _manage_post(request: AuthenticatedHttpRequest) -> None:
    form = request.POST.get("form")
    if form == "item":
        mall.item_create(
            actor=request.user,
            node=node_get(fetched_by=request.user, pk=posted_int(request.POST.get("node"), 0)),
            name=request.POST.get("name", ""),
            price=posted_int(request.POST.get("price"), 0),
            stock=posted_int(request.POST.get("stock"), 0),
            kind=request.POST.get("kind", ItemKind.GOODS),
            provider=request.POST.get("provider", ""),
            limit_per_person=posted_int(request.POST.get("limit"), -1) if request.POST.get("limit") else None,
            pickup_place=request.POST.get("pickup_place", ""),
        )
    elif form == "stock":
        item = selectors.mall_item_get(
            fetched_by=request.user, pk=posted_int(request.POST.get("item"), 0), action="manage"
        )
        mall.item_restock(actor=request.user, item=item, delta=posted_int(request.POST.get("delta"), 0))
    elif form == "offer":
        item = selectors.mall_item_get(
            fetched_by=request.user, pk=posted_int(request.POST.get("item"), 0), action="manage"
        )
        mall.item_update(actor=request.user, item=item, is_active=request.POST.get("active") == "1")
    elif form == "propose":
        place = node_get(fetched_by=request.user, pk=posted_int(request.POST.get("node"), 0))
        subdistrict = place.ancestor_of_kind(NodeKind.SUBDISTRICT)
        recipient = (
            selectors.award_recipient(username=request.POST.get("username", ""), subdistrict=subdistrict)
            if subdistrict
            else None
        )
        if subdistrict is None or recipient is None:
            raise LedgerError("invalid", _("Nobody of that user name lives or serves in this subdistrict."))
        earning.award_propose(
            actor=request.user,
            subdistrict=subdistrict,
            recipient=recipient,
            amount=posted_int(request.POST.get("amount"), 0),
            reason=request.POST.get("reason", ""),
            node=place,
        )
    elif form == "rule":
        subdistrict = node_get(fetched_by=request.user, pk=posted_int(request.POST.get("subdistrict"), 0))
        multipliers = {}
        for role, _label in MULTIPLIER_ROLES:
            value = posted_number(request.POST.get(f"m_{role}"))
            if value is None:
                raise LedgerError("invalid", _("Multipliers are numbers from 0 to 10."))
            multipliers[role] = value
        earning.earning_policy_set(
            actor=request.user,
            subdistrict=subdistrict,
            points_per_hour=posted_int(request.POST.get("points_per_hour"), -1),
            multipliers=multipliers,
            max_award=posted_int(request.POST.get("max_award"), 0),
        )
    elif form == "award":
        award = selectors.award_get(fetched_by=request.user, pk=posted_int(request.POST.get("award"), 0))
        earning.award_decide(
            actor=request.user, award=award, approve=request.POST.get("decision") == "approve"
        )
