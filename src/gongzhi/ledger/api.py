from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.schemas import ErrorOut
from gongzhi.ledger import mall, selectors
from gongzhi.ledger.models import ItemKind
from gongzhi.orgs.selectors import node_get

router = Router(tags=["points"])


class BalanceOut(Schema):
    account_id: int
    subdistrict_id: int
    subdistrict: str
    balance: int


class EntryOut(Schema):
    id: int
    account_id: int
    amount: int
    kind: str
    memo: str
    at: datetime

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.transaction.kind

    @staticmethod
    def resolve_memo(obj) -> str:
        return obj.transaction.memo

    @staticmethod
    def resolve_at(obj) -> datetime:
        return obj.created_at


@router.get("/points/balance", response=list[BalanceOut])
def points_balance(request: AuthenticatedHttpRequest):
    """Your points, per subdistrict where you earned or spent them."""
    return [
        {"account_id": a.pk, "subdistrict_id": a.node_id, "subdistrict": a.node.name, "balance": a.balance}
        for a in selectors.own_accounts(fetched_by=request.user)
    ]


@router.get("/points/entries", response=list[EntryOut])
@paginate(LimitOffset)
def points_entries(request: AuthenticatedHttpRequest, account: int | None = None):
    """Every movement on your accounts, newest first."""
    return selectors.own_entries(fetched_by=request.user, account_id=account)


# --------------------------------------------------------------------------------------------- mall


class ItemOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    provider: str
    price: int
    stock: int
    limit_per_person: int | None
    pickup_place: str
    node_id: int
    node_name: str
    subdistrict_id: int
    is_active: bool

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name


class ItemIn(Schema):
    node_id: int = Field(description="where the item is offered: a subdistrict or a place under it")
    name: str = Field(max_length=80)
    price: int = Field(description="points per piece")
    stock: int = 0
    kind: ItemKind = ItemKind.GOODS
    provider: str = Field("", max_length=80)
    limit_per_person: int | None = None
    description: str = Field("", max_length=1000)
    pickup_place: str = Field("", max_length=120)


class StockIn(Schema):
    delta: int = Field(description="pieces added; negative to write off")


class OrderIn(Schema):
    item_id: int
    quantity: int = 1
    client_key: str = Field(max_length=64, description="idempotency key: the same key returns the same order")


class OrderOut(Schema):
    id: int
    item_id: int
    item_name: str
    quantity: int
    points: int
    status: str
    pickup_code: str = Field(description="shown to the buyer once the order is approved")
    note: str
    created_at: datetime

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name


class OrderTransitionIn(Schema):
    action: Literal["approve", "pick_up", "reject", "cancel"]
    note: str = Field("", max_length=200)
    code: str = Field("", max_length=6, description="the pickup code, for pick_up")


def _order_out(order, user):
    if order.buyer_id != user.pk:
        order.pickup_code = ""  # staff check the code the buyer shows; they do not read it here (not saved)
    return order


@router.get("/mall/items", response=list[ItemOut], tags=["mall"])
@paginate(LimitOffset)
def mall_items(
    request: AuthenticatedHttpRequest, subdistrict: int | None = None, kind: ItemKind | None = None
):
    """Items on offer where you live (residents) or in your reach (staff)."""
    return selectors.mall_items(fetched_by=request.user, subdistrict_id=subdistrict, kind=kind)


@router.get("/mall/items/{item_id}", response={200: ItemOut, 404: ErrorOut}, tags=["mall"])
def mall_item(request: AuthenticatedHttpRequest, item_id: int):
    return selectors.mall_item_get(fetched_by=request.user, pk=item_id)


@router.post(
    "/mall/items", response={201: ItemOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, tags=["mall"]
)
def mall_item_create(request: AuthenticatedHttpRequest, data: ItemIn):
    """Offer an item (staff of the place)."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    fields = data.dict(exclude={"node_id"})
    return Status(201, mall.item_create(actor=request.user, node=node, **fields))


@router.post(
    "/mall/items/{item_id}/stock",
    response={200: ItemOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["mall"],
)
def mall_item_restock(request: AuthenticatedHttpRequest, item_id: int, data: StockIn):
    item = selectors.mall_item_get(fetched_by=request.user, pk=item_id, action="manage")
    return mall.item_restock(actor=request.user, item=item, delta=data.delta)


@router.post(
    "/mall/orders",
    response={200: OrderOut, 201: OrderOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["mall"],
)
def mall_order_place(request: AuthenticatedHttpRequest, data: OrderIn):
    """Order an item: stock is reserved and the points are paid at once. The same `client_key` again
    returns the first order (200) and changes nothing."""
    item = selectors.mall_item_get(fetched_by=request.user, pk=data.item_id)
    order, created = mall.order_place(
        actor=request.user, item=item, quantity=data.quantity, client_key=data.client_key
    )
    return Status(201 if created else 200, _order_out(order, request.user))


@router.get("/mall/orders", response=list[OrderOut], tags=["mall"])
@paginate(LimitOffset)
def mall_orders(request: AuthenticatedHttpRequest, view: Literal["mine", "queue"] = "mine", status: str = ""):
    """Your orders, or (``view=queue``, staff) the orders waiting in your reach."""
    if view == "queue":
        return [
            _order_out(o, request.user)
            for o in selectors.order_queue(fetched_by=request.user, status=status)[:500]
        ]
    return [_order_out(o, request.user) for o in selectors.own_orders(fetched_by=request.user)[:500]]


@router.get("/mall/orders/{order_id}", response={200: OrderOut, 404: ErrorOut}, tags=["mall"])
def mall_order(request: AuthenticatedHttpRequest, order_id: int):
    return _order_out(selectors.order_get(fetched_by=request.user, pk=order_id), request.user)


@router.post(
    "/mall/orders/{order_id}/transitions",
    response={200: OrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    tags=["mall"],
)
def mall_order_transition(request: AuthenticatedHttpRequest, order_id: int, data: OrderTransitionIn):
    """approve (a pickup code goes to the buyer), pick_up (with the code), reject (with a note) or cancel:
    rejected and cancelled orders are refunded in full and their stock returns."""
    order = selectors.order_get(fetched_by=request.user, pk=order_id)
    order = mall.order_transition(
        actor=request.user, order=order, action=data.action, note=data.note, code=data.code
    )
    return _order_out(order, request.user)
