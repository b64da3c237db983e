"""The points mall: orders reserve stock and pay at once; approval, pickup, refunds; API; storms."""

import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.ledger.mall import MallError, item_create, item_restock, order_place, order_transition
from gongzhi.ledger.models import (
    AccountKind,
    ItemKind,
    MallItem,
    MallOrder,
    MallOrderEvent,
    OrderStatus,
    PointsAccount,
    PointsEntry,
)
from gongzhi.ledger.services import account_for, points_post, points_reconcile
from gongzhi.notifications.models import Notification

# Every test here also runs on PostgreSQL, where an order is placed by the server-side function (migration
# ledger 0004) instead of the ORM path: the same behaviour is asserted of both.
pytestmark = pytest.mark.postgres


def give(world, user, amount, subdistrict=None):
    subdistrict = subdistrict or world.sub_a
    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=subdistrict)
    person = account_for(kind=AccountKind.PERSON, subdistrict=subdistrict, user=user)
    points_post(key=f"gift-{uuid.uuid4().hex}", kind="earn", postings=[(issue, -amount), (person, amount)])
    return person


def balance(world, user, subdistrict=None):
    return account_for(kind=AccountKind.PERSON, subdistrict=subdistrict or world.sub_a, user=user).balance


@pytest.fixture
def knives(world):
    return item_create(
        actor=world.a1_staff,
        node=world.comm_a1,
        name="磨刀服务",
        price=30,
        stock=5,
        kind=ItemKind.SERVICE,
        provider="社区志愿者",
        limit_per_person=2,
        pickup_place="社区党群服务中心一楼",
    )


def test_an_order_reserves_stock_and_pays_at_once(world, knives):
    give(world, world.resident, 100)
    order, created = order_place(actor=world.resident, item=knives, quantity=2, client_key="k1")
    assert created and order.status == OrderStatus.PLACED and order.points == 60
    assert MallItem.objects.get(pk=knives.pk).stock == 3
    assert balance(world, world.resident) == 40
    assert account_for(kind=AccountKind.MALL, subdistrict=world.sub_a).balance == 60
    assert list(MallOrderEvent.objects.filter(order=order).values_list("action", flat=True)) == ["place"]
    assert points_reconcile().sound
    # What the service returns is what was stored.
    stored = MallOrder.objects.get(pk=order.pk)
    fields = ("item_id", "node_id", "buyer_id", "quantity", "points", "status", "client_key", "created_at")
    assert [getattr(stored, f) for f in fields] == [getattr(order, f) for f in fields]


def test_an_order_on_postgresql_is_one_round_trip(world, knives):
    if connection.vendor != "postgresql":
        pytest.skip("the server-side order function is PostgreSQL's")
    give(world, world.resident, 100)
    account_for(kind=AccountKind.MALL, subdistrict=world.sub_a)
    with CaptureQueriesContext(connection) as queries:
        order, created = order_place(actor=world.resident, item=knives, client_key="one-trip")
    assert created and len(queries) == 1, [q["sql"] for q in queries]
    assert MallOrder.objects.get(pk=order.pk).points == 30 and balance(world, world.resident) == 70


def test_the_same_key_is_one_order(world, knives):
    give(world, world.resident, 100)
    first, _ = order_place(actor=world.resident, item=knives, client_key="tap")
    again, created = order_place(actor=world.resident, item=knives, client_key="tap")
    assert not created and again.pk == first.pk
    assert MallOrder.objects.count() == 1 and balance(world, world.resident) == 70
    with pytest.raises(MallError) as refused:
        order_place(actor=world.resident, item=knives, quantity=2, client_key="tap")
    assert refused.value.code == "key_reused"
    # The key belongs to the buyer: another buyer may use the same string.
    give(world, world.commissioner, 30)
    other, created = order_place(actor=world.commissioner, item=knives, client_key="tap")
    assert created and other.pk != first.pk


@pytest.mark.parametrize(
    "setup, kwargs, code",
    [
        (lambda w, item: None, {"quantity": 1}, "insufficient"),
        (lambda w, item: give(w, w.resident, 1000), {"quantity": 3}, "over_limit"),
        (lambda w, item: give(w, w.resident, 1000), {"quantity": 0}, "invalid"),
        (lambda w, item: give(w, w.resident, 1000), {"quantity": 21}, "invalid"),
        (lambda w, item: give(w, w.resident, 1000), {"quantity": True}, "invalid"),
        (lambda w, item: give(w, w.resident, 1000), {"quantity": 1, "client_key": "  "}, "bad_key"),
        (lambda w, item: give(w, w.resident, 1000), {"quantity": 1, "client_key": "x" * 65}, "bad_key"),
        (
            lambda w, item: (give(w, w.resident, 1000), MallItem.objects.filter(pk=item.pk).update(stock=0)),
            {"quantity": 1},
            "sold_out",
        ),
        (
            lambda w, item: (
                give(w, w.resident, 1000),
                MallItem.objects.filter(pk=item.pk).update(is_active=False),
            ),
            {"quantity": 1},
            "not_on_offer",
        ),
    ],
)
def test_a_refused_order_changes_nothing(world, knives, setup, kwargs, code):
    setup(world, knives)
    item = MallItem.objects.get(pk=knives.pk)
    stock, points = item.stock, balance(world, world.resident)
    entries = PointsEntry.objects.count()
    with pytest.raises(MallError) as refused:
        order_place(actor=world.resident, item=item, **{"client_key": "k", **kwargs})
    assert refused.value.code == code
    assert MallItem.objects.get(pk=knives.pk).stock == stock
    assert balance(world, world.resident) == points and PointsEntry.objects.count() == entries
    assert MallOrder.objects.count() == 0


def test_the_limit_counts_earlier_orders_but_not_refunded_ones(world, knives):
    give(world, world.resident, 1000)
    first, _ = order_place(actor=world.resident, item=knives, client_key="a")
    order_place(actor=world.resident, item=knives, client_key="b")
    with pytest.raises(MallError) as refused:
        order_place(actor=world.resident, item=knives, client_key="c")
    assert refused.value.code == "over_limit"
    order_transition(actor=world.resident, order=first, action="cancel")
    third, created = order_place(actor=world.resident, item=knives, client_key="c")
    assert created and third.status == OrderStatus.PLACED


def test_approve_pick_up_with_the_code(world, knives):
    give(world, world.resident, 100)
    order, _ = order_place(actor=world.resident, item=knives, client_key="k")
    order = order_transition(actor=world.a1_staff, order=order, action="approve")
    assert (
        order.status == OrderStatus.APPROVED and len(order.pickup_code) == 6 and order.pickup_code.isdigit()
    )
    told = Notification.objects.get(recipient=world.resident, kind="mall_approve")
    assert order.pickup_code in told.title
    wrong = "000000" if order.pickup_code != "000000" else "111111"
    for code in (wrong, "", " "):
        with pytest.raises(MallError) as refused:
            order_transition(actor=world.a1_staff, order=order, action="pick_up", code=code)
        assert refused.value.code == "bad_code"
    assert MallOrder.objects.get(pk=order.pk).status == OrderStatus.APPROVED
    order = order_transition(actor=world.a1_staff, order=order, action="pick_up", code=order.pickup_code)
    assert order.status == OrderStatus.PICKED_UP
    with pytest.raises(MallError) as refused:
        order_transition(actor=world.resident, order=order, action="cancel")
    assert refused.value.code == "wrong_state"
    assert balance(world, world.resident) == 70  # picked up: no refund
    assert [e.action for e in order.events.all()] == ["place", "approve", "pick_up"]


@pytest.mark.parametrize("action, actor", [("reject", "a1_staff"), ("cancel", "resident")])
def test_reject_and_cancel_refund_in_full(world, knives, action, actor):
    give(world, world.resident, 100)
    order, _ = order_place(actor=world.resident, item=knives, quantity=2, client_key="k")
    order_transition(actor=world.a1_staff, order=order, action="approve")
    order = order_transition(actor=getattr(world, actor), order=order, action=action, note="库存清点有误")
    assert order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED)
    assert balance(world, world.resident) == 100
    assert MallItem.objects.get(pk=knives.pk).stock == 5
    assert account_for(kind=AccountKind.MALL, subdistrict=world.sub_a).balance == 0
    with pytest.raises(MallError) as refused:  # a second refund cannot happen
        order_transition(actor=world.a1_staff, order=order, action="reject", note="again")
    assert refused.value.code == "wrong_state"
    assert balance(world, world.resident) == 100 and points_reconcile().sound


@pytest.mark.parametrize(
    "actor, action, payload, code",
    [
        ("a2_staff", "approve", {}, "forbidden"),  # another community's staff
        ("sub_b_admin", "reject", {"note": "x"}, "forbidden"),
        ("resident", "approve", {}, "forbidden"),  # buyers do not approve their own orders
        ("commissioner", "cancel", {}, "forbidden"),  # someone else's order
        ("a1_staff", "reject", {"note": "  "}, "note_required"),
        ("a1_staff", "pick_up", {"code": "123456"}, "wrong_state"),  # not approved yet
        ("a1_staff", "explode", {}, "unknown_action"),
    ],
)
def test_who_may_move_an_order(world, knives, actor, action, payload, code):
    give(world, world.resident, 100)
    order, _ = order_place(actor=world.resident, item=knives, client_key="k")
    with pytest.raises(MallError) as refused:
        order_transition(actor=getattr(world, actor), order=order, action=action, **payload)
    assert refused.value.code == code
    assert MallOrder.objects.get(pk=order.pk).status == OrderStatus.PLACED
    assert balance(world, world.resident) == 70


def test_items_are_offered_by_staff_of_the_place(world):
    with pytest.raises(MallError) as refused:
        item_create(actor=world.resident, node=world.comm_a1, name="理发", price=10)
    assert refused.value.code == "forbidden"
    with pytest.raises(MallError):
        item_create(actor=world.a2_staff, node=world.comm_a1, name="理发", price=10)
    for bad in (
        {"price": 0},
        {"price": -5},
        {"price": 2.5},
        {"stock": -1},
        {"name": " "},
        {"limit_per_person": 0},
    ):
        with pytest.raises(MallError) as refused:
            item_create(actor=world.a1_staff, node=world.comm_a1, **{"name": "理发", "price": 10, **bad})
        assert refused.value.code == "invalid"
    item = item_create(actor=world.a1_staff, node=world.comm_a1, name="理发", price=10)
    assert item.subdistrict_id == world.sub_a.pk and MallItem.objects.count() == 1


def test_restock_never_below_zero(world, knives):
    item_restock(actor=world.a1_staff, item=knives, delta=10)
    assert MallItem.objects.get(pk=knives.pk).stock == 15
    with pytest.raises(MallError) as refused:
        item_restock(actor=world.a1_staff, item=knives, delta=-16)
    assert refused.value.code == "insufficient_stock" and MallItem.objects.get(pk=knives.pk).stock == 15
    item_restock(actor=world.a1_staff, item=knives, delta=-15)
    assert MallItem.objects.get(pk=knives.pk).stock == 0
    with pytest.raises(MallError):
        item_restock(actor=world.a2_staff, item=knives, delta=1)


# --- API --------------------------------------------------------------------------------------------


def test_mall_api(world, knives, api_login):
    api = api_login
    elsewhere = item_create(actor=world.sub_b_admin, node=world.sub_b, name="别处的东西", price=1, stock=9)
    give(world, world.resident, 100)
    resident = api(world.resident)
    listed = resident.get("/api/v1/mall/items").json()
    assert [i["name"] for i in listed["items"]] == ["磨刀服务"]  # offered at the resident's community
    assert resident.get(f"/api/v1/mall/items/{elsewhere.pk}").status_code == 404
    placed = resident.post(
        "/api/v1/mall/orders",
        {"item_id": knives.pk, "quantity": 2, "client_key": "tap"},
        content_type="application/json",
    )
    assert placed.status_code == 201 and placed.json()["points"] == 60 and placed.json()["status"] == "placed"
    again = resident.post(
        "/api/v1/mall/orders",
        {"item_id": knives.pk, "quantity": 2, "client_key": "tap"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == placed.json()["id"]
    over = resident.post(
        "/api/v1/mall/orders",
        {"item_id": knives.pk, "quantity": 1, "client_key": "more"},
        content_type="application/json",
    )
    assert over.status_code == 409 and over.json()["code"] == "over_limit"
    out_of_reach = resident.post(
        "/api/v1/mall/orders", {"item_id": elsewhere.pk, "client_key": "x"}, content_type="application/json"
    )
    assert out_of_reach.status_code == 404
    bad = resident.post(
        "/api/v1/mall/orders", {"item_id": knives.pk, "quantity": "many"}, content_type="application/json"
    )
    assert bad.status_code == 422
    order_id = placed.json()["id"]
    staff = api(world.a1_staff)
    queue = staff.get("/api/v1/mall/orders?view=queue").json()["items"]
    assert [o["id"] for o in queue] == [order_id]
    approved = staff.post(
        f"/api/v1/mall/orders/{order_id}/transitions", {"action": "approve"}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["pickup_code"] == ""  # staff do not read the code
    code = resident.get(f"/api/v1/mall/orders/{order_id}").json()["pickup_code"]
    assert len(code) == 6
    wrong = staff.post(
        f"/api/v1/mall/orders/{order_id}/transitions",
        {"action": "pick_up", "code": "x"},
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "bad_code"
    done = staff.post(
        f"/api/v1/mall/orders/{order_id}/transitions",
        {"action": "pick_up", "code": code},
        content_type="application/json",
    )
    assert done.json()["status"] == "picked_up"
    assert api(world.a2_staff).get(f"/api/v1/mall/orders/{order_id}").status_code == 404
    forbidden = resident.post(
        f"/api/v1/mall/items/{knives.pk}/stock", {"delta": 5}, content_type="application/json"
    )
    assert forbidden.status_code == 404  # the resident may see the item but not manage it
    assert (
        staff.post(
            f"/api/v1/mall/items/{knives.pk}/stock", {"delta": 5}, content_type="application/json"
        ).json()["stock"]
        == 8
    )
    assert resident.get("/api/v1/points/balance").json()[0]["balance"] == 40


def test_item_list_query_count_does_not_grow(world, knives, api_login):
    api = api_login
    client = api(world.resident)
    client.get("/api/v1/mall/items")  # the first request of a token also records its use
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/mall/items")
    for n in range(8):
        item_create(actor=world.a1_staff, node=world.cmp_a1a, name=f"物品{n}", price=5, stock=1)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/mall/items").json()["items"]) == 9
    assert len(many) == len(few)


# --- properties over random sequences -----------------------------------------------------------

mall_step = st.one_of(
    st.tuples(st.just("earn"), st.integers(0, 2), st.integers(1, 60)),
    st.tuples(st.just("order"), st.integers(0, 2), st.integers(0, 2), st.integers(1, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("reject"), st.integers(0, 30)),
    st.tuples(st.just("approve"), st.integers(0, 30)),
    st.tuples(st.just("repeat"), st.integers(0, 30)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mall_step, min_size=1, max_size=25))
def test_mall_invariants_hold_for_any_sequence(world, steps):
    run = uuid.uuid4().hex[:8]
    buyers = [world.resident, world.commissioner, world.a2_staff]
    items = [
        item_create(
            actor=world.sub_admin,
            node=world.sub_a,
            name=f"{run}-{n}",
            price=price,
            stock=stock,
            limit_per_person=limit,
        )
        for n, (price, stock, limit) in enumerate([(10, 3, None), (25, 5, 2), (1, 1, 1)])
    ]
    initial_stock = {i.pk: i.stock for i in items}
    placed: list[tuple[MallOrder, str]] = []
    for n, (action, *args) in enumerate(steps):
        try:
            if action == "earn":
                give(world, buyers[args[0]], args[1])
            elif action == "order":
                order, _ = order_place(
                    actor=buyers[args[0]], item=items[args[1]], quantity=args[2], client_key=f"{run}-{n}"
                )
                placed.append((order, f"{run}-{n}"))
            elif placed and action in ("cancel", "reject", "approve"):
                order, _key = placed[args[0] % len(placed)]
                order = MallOrder.objects.get(pk=order.pk)
                actor = order.buyer if action == "cancel" else world.sub_admin
                order_transition(actor=actor, order=order, action=action, note="不符合条件")
            elif placed and action == "repeat":
                order, key = placed[args[0] % len(placed)]
                again, created = order_place(
                    actor=order.buyer, item=order.item, quantity=order.quantity, client_key=key
                )
                assert not created and again.pk == order.pk
        except MallError as exc:
            assert exc.code in {"insufficient", "sold_out", "over_limit", "wrong_state"}
    # Stock plus pieces in live orders is what was put on the shelf; no balance below zero; books sound.
    for item in items:
        live = sum(
            o.quantity
            for o in MallOrder.objects.filter(item=item).exclude(
                status__in=[OrderStatus.REJECTED, OrderStatus.CANCELLED]
            )
        )
        assert MallItem.objects.get(pk=item.pk).stock + live == initial_stock[item.pk]
        if item.limit_per_person:
            for buyer in buyers:
                assert (
                    sum(
                        o.quantity
                        for o in MallOrder.objects.filter(item=item, buyer=buyer).exclude(
                            status__in=[OrderStatus.REJECTED, OrderStatus.CANCELLED]
                        )
                    )
                    <= item.limit_per_person
                )
    assert not PointsAccount.objects.filter(balance__lt=0).exclude(kind=AccountKind.ISSUANCE).exists()
    proof = points_reconcile()
    assert proof.sound
    # The mall holds exactly the points of the orders that stand (the rest were refunded).
    standing = MallOrder.objects.exclude(status__in=[OrderStatus.REJECTED, OrderStatus.CANCELLED])
    assert account_for(kind=AccountKind.MALL, subdistrict=world.sub_a).balance == sum(
        o.points for o in standing
    )


# --- a storm on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_storm_of_orders_never_oversells(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from tests.accounts.factories import UserFactory

    item = item_create(actor=world.sub_admin, node=world.sub_a, name="爆款电饭煲", price=50, stock=10)
    buyers = [UserFactory(username=f"storm-{n}") for n in range(180)]
    for buyer in buyers:
        give(world, buyer, 80)  # each can afford one
    outcomes: list[str] = []
    start = threading.Barrier(200)

    def buy(n: int) -> None:
        # 180 buyers, and 20 double taps (the same buyer and key as buyer n - 180).
        buyer = buyers[n % 180]
        start.wait()
        try:
            order_place(actor=buyer, item=item, client_key=f"storm-{n % 180}")
            outcomes.append("ok")
        except MallError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert MallOrder.objects.count() == 10
    assert MallItem.objects.get(pk=item.pk).stock == 0
    assert set(outcomes) <= {"ok", "sold_out"}
    assert outcomes.count("ok") >= 10  # a double tap of a winner also answers with its order
    assert not PointsAccount.objects.filter(balance__lt=0).exclude(kind=AccountKind.ISSUANCE).exists()
    assert account_for(kind=AccountKind.MALL, subdistrict=world.sub_a).balance == 500
    assert sorted(set(PointsAccount.objects.filter(kind="person").values_list("balance", flat=True))) == [
        30,
        80,
    ]
    proof = points_reconcile()
    assert proof.sound and proof.total == 0
