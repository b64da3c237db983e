"""Reads of the points ledger, scoped to the user asking."""

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import pii
from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES
from gongzhi.core.scoping import reach_paths, subtree_q
from gongzhi.ledger.earning import may_set_earning_policy
from gongzhi.ledger.models import (
    ACTIVE_ORDER_STATUSES,
    AwardStatus,
    EarningPolicy,
    MallItem,
    MallOrder,
    OrderStatus,
    PointsAccount,
    PointsAward,
    PointsEntry,
)
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.picker import PlaceChoice, casework_choice
from gongzhi.orgs.selectors import places_in_reach


def own_accounts(*, fetched_by: User) -> QuerySet[PointsAccount]:
    """The user's own points accounts (one per subdistrict they earned or spent in)."""
    return (
        PointsAccount.objects.visible_to(fetched_by, "view")
        .filter(user_id=fetched_by.pk)
        .select_related("node")
        .order_by("node__path")
    )


def own_balance(*, fetched_by: User, subdistrict_id: int) -> int:
    """The user's points at one subdistrict (0 before the first)."""
    row = own_accounts(fetched_by=fetched_by).filter(node_id=subdistrict_id).values_list("balance", flat=True)
    return next(iter(row), 0)


def own_active_quantity(*, fetched_by: User, item: MallItem) -> int:
    """How many of ``item`` the user has ordered and not cancelled (what the per-person limit counts)."""
    # unscoped: the user's own orders
    row = MallOrder.objects.filter(
        item=item, buyer_id=fetched_by.pk, status__in=ACTIVE_ORDER_STATUSES
    ).aggregate(n=Sum("quantity"))
    return row["n"] or 0


def own_entries(*, fetched_by: User, account_id: int | None = None) -> QuerySet[PointsEntry]:
    """Entries on the user's own accounts, the latest happening first (a service's points by the day of the
    service, not the day they were posted)."""
    accounts = own_accounts(fetched_by=fetched_by)
    if account_id is not None:
        accounts = accounts.filter(pk=account_id)
    # The person's few accounts as values, so that the entries are found through their account index (a
    # subquery let SQLite walk every transaction in date order instead).
    return (
        PointsEntry.objects.filter(account_id__in=list(accounts.values_list("pk", flat=True)))
        .select_related("transaction")
        .order_by(Coalesce("transaction__occurred_at", "transaction__created_at").desc(), "-id")
    )


def mall_items(
    *, fetched_by: User, subdistrict_id: int | None = None, kind: str | None = None
) -> QuerySet[MallItem]:
    """Items on offer where the user belongs (residents) or in the user's reach (staff), newest first."""
    items = MallItem.objects.visible_to(fetched_by, "view").filter(is_active=True).select_related("node")
    if subdistrict_id is not None:
        items = items.filter(subdistrict_id=subdistrict_id)
    if kind:
        items = items.filter(kind=kind)
    return items.order_by("-id")


def mall_item_get(*, fetched_by: User, pk: int, action: str = "view") -> MallItem:
    item = (
        MallItem.objects.visible_to(fetched_by, action)
        .select_related("node", "subdistrict")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def mall_items_managed(*, fetched_by: User) -> QuerySet[MallItem]:
    """Every item (on offer or not) the user may manage, for the stock page."""
    return (
        MallItem.objects.visible_to(fetched_by, "manage").select_related("node").order_by("-is_active", "-id")
    )


def own_orders(*, fetched_by: User) -> QuerySet[MallOrder]:
    # unscoped: the user's own orders
    return MallOrder.objects.filter(buyer_id=fetched_by.pk).select_related("item__node").order_by("-id")


def order_get(*, fetched_by: User, pk: int) -> MallOrder:
    # get(), not first(): one row by its key, with no ORDER BY for the planner to sort it by.
    return get_object_or_404(
        MallOrder.objects.visible_to(fetched_by, "view").select_related("item", "item__node", "buyer"), pk=pk
    )


def order_queue(*, fetched_by: User, status: str | None = None) -> QuerySet[MallOrder]:
    """Orders staff handle in their reach; by default those waiting for approval or pickup, oldest first."""
    orders = MallOrder.objects.visible_to(fetched_by, "manage").select_related("item__node", "buyer")
    if status:
        return orders.filter(status=status).order_by("-id")
    return orders.filter(status__in=[OrderStatus.PLACED, OrderStatus.APPROVED]).order_by("id")


def awards_pending(*, fetched_by: User) -> QuerySet[PointsAward]:
    return (
        PointsAward.objects.visible_to(fetched_by, "manage")
        .filter(status=AwardStatus.PENDING)
        .select_related("recipient", "proposed_by", "subdistrict")
        .order_by("id")
    )


def award_get(*, fetched_by: User, pk: int) -> PointsAward:
    award = (
        PointsAward.objects.visible_to(fetched_by, "manage")
        .select_related("subdistrict")
        .filter(pk=pk)
        .first()
    )
    if award is None:
        raise Http404
    return award


def earning_rules_to_set(*, fetched_by: User) -> list[tuple[Node, EarningPolicy]]:
    """The subdistricts whose earning rule the user sets, each with its rule (the default if none is set)."""
    subdistricts = [
        sub
        for sub in places_in_reach(fetched_by=fetched_by, kinds=[NodeKind.SUBDISTRICT], roles=MANAGER_ROLES)
        if may_set_earning_policy(fetched_by, sub)
    ]
    # unscoped: the rules of subdistricts chosen in the user's reach above
    policies = {p.subdistrict_id: p for p in EarningPolicy.objects.filter(subdistrict__in=subdistricts)}
    return [(sub, policies.get(sub.pk) or EarningPolicy(subdistrict=sub)) for sub in subdistricts]


def award_recipient(*, subdistrict: Node, username: str = "", pk: int | None = None) -> User | None:
    """A person with a role somewhere in the subdistrict (a resident, a volunteer …), by id or user name."""
    people = User.objects.filter(is_active=True, role_bindings__node__path__startswith=subdistrict.path)
    people = people.filter(pk=pk) if pk is not None else people.filter(username=(username or "").strip())
    return people.distinct().first()


PEOPLE_FOUND = 12


def _reach_q(fetched_by: User) -> Q:
    paths = reach_paths(fetched_by, CASEWORK_ROLES)
    return subtree_q("role_bindings__node", paths) if not fetched_by.is_superuser else Q()


def people_in_reach(*, fetched_by: User, query: str) -> list[User]:
    """People with a role under the user's casework reach, by part of their name or user name, or by their
    whole phone number (matched through its blind index; the number itself is never searched)."""
    query = (query or "").strip()[:40]
    if len(query) < 1:
        return []
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) == 11 and len(digits) == len(query.replace(" ", "").replace("-", "")):
        matched = Q(phone_index=pii.blind_index(pii.normalize_phone(digits), context="phone"))
    else:
        matched = Q(display_name__contains=query) | Q(username__startswith=query)
    found = (
        # unscoped: narrowed to people bound under the user's casework reach by _reach_q
        User.objects.filter(matched, _reach_q(fetched_by), is_active=True)
        .distinct()
        .order_by("display_name", "pk")
        .prefetch_related("role_bindings__node")
    )
    return list(found[:PEOPLE_FOUND])


def person_in_reach(*, fetched_by: User, pk: int) -> User | None:
    # unscoped: narrowed to people bound under the user's casework reach by _reach_q
    return User.objects.filter(_reach_q(fetched_by), pk=pk, is_active=True).distinct().first()


def mall_place_choice(user: User) -> PlaceChoice:
    """Where staff offer items and propose awards (the place picker's "mall" purpose)."""
    return casework_choice(user, [NodeKind.SUBDISTRICT, NodeKind.COMMUNITY])


def mall_stock_chart(*, fetched_by: User, limit: int = 12) -> dict[str, object]:
    """Stock left and pieces exchanged (orders not cancelled or rejected) of the items on offer the user
    manages, for the stock page's chart: the items most exchanged first."""
    redeemed = Coalesce(Sum("orders__quantity", filter=Q(orders__status__in=ACTIVE_ORDER_STATUSES)), 0)
    rows = list(
        MallItem.objects.visible_to(fetched_by, "manage")
        .filter(is_active=True)
        .annotate(redeemed=redeemed)
        .order_by("-redeemed", "-id")
        .values_list("name", "stock", "redeemed")[:limit]
    )
    return {
        "kind": "bar",
        "labels": [name for name, _stock, _n in rows],
        "series": [
            {"name": str(_("Stock left")), "values": [stock for _name, stock, _n in rows]},
            {"name": str(_("Pieces exchanged")), "values": [n for _name, _stock, n in rows]},
        ],
    }
