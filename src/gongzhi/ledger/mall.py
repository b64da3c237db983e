"""The points mall: items and their stock; orders that reserve stock and pay in one transaction. What
happens to an order afterwards (approve, pick up, reject, cancel) is its workflow (workflow.py).

Lock order, everywhere an order is placed or refunded: the buyer's points account, then the item row,
then the mall's account (inside points_post). One order, so two requests can never wait on each other
in a cycle.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.ledger.errors import LedgerError, MallError
from gongzhi.ledger.models import (
    ACTIVE_ORDER_STATUSES,
    ItemKind,
    MallItem,
    MallOrder,
    MallOrderEvent,
    OrderStatus,
    PointsAccount,
)
from gongzhi.ledger.rules import manages_item, offers_at
from gongzhi.ledger.services import accounts_for_spending, points_post
from gongzhi.ledger.workflow import order_actions, order_transition
from gongzhi.orgs.models import Node, NodeKind

MAX_QUANTITY = 20


# --------------------------------------------------------------------------------------------- items


def item_create(
    *,
    actor: User,
    node: Node,
    name: str,
    price: int,
    stock: int = 0,
    kind: str = ItemKind.GOODS,
    provider: str = "",
    limit_per_person: int | None = None,
    description: str = "",
    pickup_place: str = "",
    pickup_hours: str = "",
) -> MallItem:
    """Offer an item at ``node`` (a subdistrict or anything under it), paid with that subdistrict's points."""
    if not offers_at.test(actor, node):
        raise MallError.forbidden(_("You cannot offer items here."))
    subdistrict = node.ancestor_of_kind(NodeKind.SUBDISTRICT)
    if subdistrict is None:
        raise MallError("bad_node", _("Items are offered in a subdistrict or a place under it."))
    name = (name or "").strip()
    if not name:
        raise MallError.invalid(_("Give the item a name."))
    if kind not in ItemKind.values:
        raise MallError.invalid(_("Unknown kind of item."))
    _check_whole(price, minimum=1, message=_("The price is a whole number of points, at least 1."))
    _check_whole(stock, minimum=0, message=_("Stock is a whole number, not below zero."))
    if limit_per_person is not None:
        _check_whole(limit_per_person, minimum=1, message=_("The limit per person is at least 1."))
    return MallItem.objects.create(
        node=node,
        subdistrict=subdistrict,
        name=name[:80],
        description=(description or "").strip()[:1000],
        kind=kind,
        provider=(provider or "").strip()[:80],
        price=price,
        stock=stock,
        limit_per_person=limit_per_person,
        pickup_place=(pickup_place or "").strip()[:120],
        pickup_hours=(pickup_hours or "").strip()[:80],
        created_by=actor,
    )


def _check_whole(value: Any, *, minimum: int, message: str, maximum: int = 10_000_000) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise MallError.invalid(message)


def item_update(
    *,
    actor: User,
    item: MallItem,
    price: int | None = None,
    limit_per_person: int | str | None = "keep",
    is_active: bool | None = None,
) -> MallItem:
    """Change an item's price, limit or whether it is on offer. Orders already placed keep their price."""
    if not manages_item.test(actor, item):
        raise MallError.forbidden(_("You cannot change this item."))
    changes: dict[str, Any] = {}
    if price is not None:
        _check_whole(price, minimum=1, message=_("The price is a whole number of points, at least 1."))
        changes["price"] = price
    if limit_per_person != "keep":
        if limit_per_person is not None:
            _check_whole(limit_per_person, minimum=1, message=_("The limit per person is at least 1."))
        changes["limit_per_person"] = limit_per_person
    if is_active is not None:
        changes["is_active"] = bool(is_active)
    if changes:
        # unscoped: an item fetched in scope; the change is checked above
        MallItem.objects.filter(pk=item.pk).update(**changes)
        for field, value in changes.items():
            setattr(item, field, value)
    return item


def item_restock(*, actor: User, item: MallItem, delta: int) -> MallItem:
    """Add (or, with a negative delta, write off) stock. Stock never goes below zero."""
    if not manages_item.test(actor, item):
        raise MallError.forbidden(_("You cannot change this item."))
    _check_whole(delta, minimum=-10_000_000, message=_("Give a whole number of pieces."))
    if delta == 0:
        raise MallError.invalid(_("Give a whole number of pieces."))
    # unscoped: an item fetched in scope; the change is checked above
    updated = MallItem.objects.filter(pk=item.pk, stock__gte=-delta).update(stock=F("stock") + delta)
    if not updated:
        raise MallError.conflict("insufficient_stock", _("There is not that much stock to write off."))
    # unscoped: the stock of that item
    item.stock = MallItem.objects.values_list("stock", flat=True).get(pk=item.pk)
    return item


# -------------------------------------------------------------------------------------------- orders


def _same_order(order: MallOrder, item: MallItem, quantity: int) -> MallOrder:
    if order.item_id != item.pk or order.quantity != quantity:
        raise MallError.conflict("key_reused", _("This idempotency key was already used for another order."))
    return order


def _refused(code: str, limit: int | None = None) -> MallError:
    if code == "over_limit":
        return MallError.conflict(
            "over_limit", _("Each person may take at most %(n)d of this item.") % {"n": limit or 0}
        )
    if code == "sold_out":
        return MallError.conflict("sold_out", _("Sold out."))
    if code == "insufficient":
        return MallError.conflict("insufficient", _("Not enough points."))
    return MallError.conflict("not_on_offer", _("This item is no longer on offer."))


def order_place(
    *,
    actor: User,
    item: MallItem,
    quantity: int = 1,
    client_key: str,
    placed_at: datetime | None = None,
) -> tuple[MallOrder, bool]:
    """Reserve stock and pay for it at once. Returns (order, created).

    ``placed_at``: an order taken earlier and entered now (a counter's paper book); the order carries that
    time and the payment's posting keeps both dates.

    The same ``client_key`` from the same buyer returns the first order and changes nothing (a double tap,
    a retried request). Sold out, over the per-person limit or short of points: nothing changes.

    On PostgreSQL the order is one call of the server-side function ``gongzhi_mall_order_place``
    (migration ledger 0004), which takes the same steps under the same locks in one round trip; elsewhere
    the same steps run through the ORM."""
    client_key = (client_key or "").strip()
    if not client_key or len(client_key) > 64:
        raise MallError("bad_key", _("Every order needs an idempotency key (at most 64 characters)."))
    _check_whole(quantity, minimum=1, maximum=MAX_QUANTITY, message=_("Order between 1 and 20 pieces."))
    if placed_at is not None and placed_at > timezone.now():
        raise MallError.invalid(_("An order cannot be dated in the future."))
    try:
        if connection.vendor == "postgresql" and placed_at is None:
            return _order_place_in_database(actor=actor, item=item, quantity=quantity, client_key=client_key)
        return _order_place_orm(
            actor=actor, item=item, quantity=quantity, client_key=client_key, placed_at=placed_at
        )
    except IntegrityError:
        # The same key inserted by a concurrent request on another account lock path: that one stands.
        # unscoped: the buyer's own earlier order under this idempotency key
        earlier = MallOrder.objects.filter(buyer=actor, client_key=client_key).first()
        if earlier is None:
            raise
        return _same_order(earlier, item, quantity), False


def _order_place_in_database(
    *, actor: User, item: MallItem, quantity: int, client_key: str
) -> tuple[MallOrder, bool]:
    now = timezone.now()
    for first_try in (True, False):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT outcome, order_id, points FROM gongzhi_mall_order_place(%s, %s, %s, %s, %s, %s)",
                [actor.pk, item.pk, quantity, client_key, f"{item.name} ×{quantity}", now],
            )
            outcome, order_id, points = cursor.fetchone()
        if outcome == "need_accounts" and first_try:
            accounts_for_spending(subdistrict=item.subdistrict, user=actor)  # a first order: open them
            continue
        break
    if outcome == "ok":
        order = MallOrder(
            id=order_id,
            item=item,
            node_id=item.node_id,
            buyer=actor,
            quantity=quantity,
            points=points,
            status=OrderStatus.PLACED,
            client_key=client_key,
            created_at=now,
        )
        order._state.adding, order._state.db = False, connection.alias
        return order, True
    if outcome == "repeat":  # a double tap answers with its order, even if the item is now gone
        # unscoped: the order just placed
        return _same_order(MallOrder.objects.get(pk=order_id), item, quantity), False
    raise _refused(outcome, limit=points)


def _order_place_orm(
    *, actor: User, item: MallItem, quantity: int, client_key: str, placed_at: datetime | None = None
) -> tuple[MallOrder, bool]:
    buyer_account, mall_account = accounts_for_spending(subdistrict=item.subdistrict, user=actor)
    total = item.price * quantity
    with transaction.atomic():
        # 1. The buyer's account: serialises one buyer's orders (limit check, same key twice).
        balance = (
            # unscoped: locks the buyer's own account
            PointsAccount.objects.select_for_update()
            .values_list("balance", flat=True)
            .get(pk=buyer_account.pk)
        )
        # unscoped: the buyer's own earlier order under this idempotency key
        earlier = MallOrder.objects.filter(buyer=actor, client_key=client_key).first()
        if earlier is not None:  # a double tap answers with its order, even if the item is now gone
            return _same_order(earlier, item, quantity), False
        if not item.is_active:
            raise _refused("not_on_offer")
        if balance < total:
            raise _refused("insufficient")
        if item.limit_per_person is not None:
            had = (
                # unscoped: the buyer's own orders of this item (the limit)
                MallOrder.objects.filter(item=item, buyer=actor, status__in=ACTIVE_ORDER_STATUSES).aggregate(
                    n=Sum("quantity")
                )["n"]
                or 0
            )
            if had + quantity > item.limit_per_person:
                raise _refused("over_limit", limit=item.limit_per_person)
        order = MallOrder.objects.create(
            item=item,
            node_id=item.node_id,
            buyer=actor,
            quantity=quantity,
            points=total,
            client_key=client_key,
            created_at=placed_at or timezone.now(),
        )
        MallOrderEvent.objects.create(
            order=order, actor=actor, action="place", to_status=OrderStatus.PLACED, at=order.created_at
        )
        # 2. The item, as late as possible (it is the hot row): a conditional update is the reservation;
        # no row means not enough stock, and the order above rolls back with it.
        # unscoped: reserves stock of an item fetched in scope
        if not MallItem.objects.filter(pk=item.pk, is_active=True, stock__gte=quantity).update(
            stock=F("stock") - quantity
        ):
            raise _refused("sold_out")
        # 3. The payment: the buyer's account is already locked; the mall's is incremented last.
        points_post(
            key=f"mall-order:{order.pk}",
            kind="order",
            postings=[(buyer_account, -total), (mall_account, total)],
            actor=actor,
            memo=f"{item.name} ×{quantity}"[:200],
            new_key=True,
            occurred_at=placed_at,
        )
    return order, True


__all__ = [
    "LedgerError",
    "MallError",
    "item_create",
    "item_restock",
    "item_update",
    "order_actions",
    "order_place",
    "order_transition",
]
