"""Who may move a mall order, in each state: staff over the place the item is offered at approve, hand
over and reject; the buyer cancels; nobody else does anything."""

import pytest

from gongzhi.ledger.mall import item_create
from gongzhi.ledger.models import MallOrder, OrderStatus
from gongzhi.ledger.rules import manages_item, offers_at
from gongzhi.ledger.workflow import ORDER_WORKFLOW

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def order(world):
    item = item_create(actor=world.a1_staff, node=world.comm_a1, name="磨刀服务", price=30, stock=5)
    return MallOrder.objects.create(
        item=item, node=item.node, buyer=world.resident, quantity=1, points=30, client_key="k"
    )


@pytest.mark.parametrize(
    ("state", "staff_may", "buyer_may"),
    [
        (S.PLACED, {"approve", "reject"}, {"cancel"}),
        (S.APPROVED, {"pick_up", "reject"}, {"cancel"}),
        (S.PICKED_UP, set(), set()),
        (S.REJECTED, set(), set()),
        (S.CANCELLED, set(), set()),
    ],
)
def test_steps_by_role_and_state(world, order, state, staff_may, buyer_may):
    MallOrder.objects.filter(pk=order.pk).update(status=state)
    order.refresh_from_db()
    for staff in (world.a1_staff, world.a1_secretary, world.sub_admin):
        assert set(ORDER_WORKFLOW.available(staff, order)) == staff_may, staff
    assert set(ORDER_WORKFLOW.available(world.resident, order)) == buyer_may
    for outsider in (world.a2_staff, world.sub_b_admin, world.viewer, world.nobody, world.commissioner):
        # The compound's commissioner works below the community where the item is offered.
        assert ORDER_WORKFLOW.available(outsider, order) == [], outsider


def test_who_offers_and_manages_items(world, order):
    assert offers_at.test(world.a1_staff, world.comm_a1) and offers_at.test(world.sub_admin, world.comm_a1)
    assert not offers_at.test(world.a2_staff, world.comm_a1) and not offers_at.test(
        world.resident, world.comm_a1
    )
    assert not offers_at.test(world.commissioner, world.comm_a1)  # a compound's staff, not the community's
    assert offers_at.test(world.commissioner, world.cmp_a1a)
    assert manages_item.test(world.a1_secretary, order.item) and not manages_item.test(
        world.viewer, order.item
    )
