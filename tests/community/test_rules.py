"""Role × state × node for service orders, written out: who may take which step in each state, and who sees
the order at all (a provider only their own orders, a resident only their own, staff within their reach)."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from gongzhi.community import selectors, services
from gongzhi.community.models import OrderStatus
from gongzhi.core.roles import Role
from tests.accounts.factories import UserFactory, bind

pytestmark = pytest.mark.django_db

S = OrderStatus

# state → actor → the steps the actor may take (actor names as in ``_actors``).
MATRIX = {
    S.REQUESTED: {
        "orderer": ["cancel"],
        "provider": ["accept", "propose", "decline"],
        "commissioner": ["cancel"],
        "a1_staff": ["cancel"],
        "sub_admin": ["cancel"],
    },
    S.PROPOSED: {
        "orderer": ["agree", "cancel"],
        "provider": ["decline"],
        "commissioner": ["cancel"],
        "a1_staff": ["cancel"],
        "sub_admin": ["cancel"],
    },
    S.ACCEPTED: {
        "orderer": ["cancel"],
        "provider": ["done"],
        "commissioner": ["cancel"],
        "a1_staff": ["cancel"],
        "sub_admin": ["cancel"],
    },
    S.DONE: {
        "orderer": ["confirm"],
        "commissioner": ["confirm"],
        "a1_staff": ["confirm"],
        "sub_admin": ["confirm"],
    },
    S.CONFIRMED: {},
    S.DECLINED: {},
    S.CANCELLED: {},
}
# Who sees the order: the orderer, its provider and staff over the orderer's compound.
SEES = {"orderer", "provider", "commissioner", "a1_staff", "sub_admin"}


def _actors(world, directory):
    other_provider_user = directory.fixer_user  # a listed provider, but not this order's
    stranger = UserFactory(username="a1b-resident")
    bind(stranger, Role.RESIDENT, world.cmp_a1b)  # same community, another compound
    return {
        "orderer": world.resident,
        "provider": directory.doctor_user,
        "other_provider": other_provider_user,
        "neighbour_resident": stranger,
        "commissioner": world.commissioner,
        "a1_staff": world.a1_staff,
        "a2_staff": world.a2_staff,
        "sub_admin": world.sub_admin,
        "sub_b_admin": world.sub_b_admin,
        "viewer": world.viewer,
        "nobody": world.nobody,
    }


def _in_state(world, directory, order, state):
    doctor = directory.doctor_user
    steps = {
        S.REQUESTED: [],
        S.PROPOSED: [(doctor, "propose", {"when": timezone.now() + timedelta(days=2)})],
        S.ACCEPTED: [(doctor, "accept", {})],
        S.DONE: [(doctor, "accept", {}), (doctor, "done", {})],
        S.CONFIRMED: [
            (doctor, "accept", {}),
            (doctor, "done", {}),
            (world.resident, "confirm", {"rating": 5}),
        ],
        S.DECLINED: [(doctor, "decline", {"note": "没空"})],
        S.CANCELLED: [(world.resident, "cancel", {})],
    }[state]
    for actor, action, extra in steps:
        order = services.order_transition(actor=actor, order=order, action=action, **extra)
    assert order.status == state
    return order


@pytest.mark.parametrize("state", list(MATRIX))
def test_who_may_take_which_step(world, directory, order, state):
    order = _in_state(world, directory, order, state)
    for name, user in _actors(world, directory).items():
        expected = MATRIX[state].get(name, [])
        assert services.ORDER_WORKFLOW.available(user, order) == expected, (state, name)


@pytest.mark.parametrize("state", [S.REQUESTED, S.DONE])
def test_a_step_not_in_the_matrix_is_refused_and_changes_nothing(world, directory, order, state):
    order = _in_state(world, directory, order, state)
    actors = _actors(world, directory)
    for name, user in actors.items():
        for action in ("accept", "done", "confirm", "cancel"):
            if action in MATRIX[state].get(name, []):
                continue
            with pytest.raises(Exception) as refused:
                services.order_transition(actor=user, order=order, action=action, rating=5)
            assert getattr(refused.value, "status", None) in (403, 409, 422), (name, action)
            order.refresh_from_db()
            assert order.status == state


def test_who_sees_the_order(world, directory, order):
    for name, user in _actors(world, directory).items():
        if name in SEES:
            assert selectors.order_get(fetched_by=user, pk=order.pk) == order, name
        else:
            with pytest.raises(Http404):
                selectors.order_get(fetched_by=user, pk=order.pk)


def test_a_provider_sees_only_their_own_queue_and_a_resident_only_their_own_orders(world, directory, order):
    repair = services.order_place(
        actor=world.resident,
        service=directory.repair,
        compound=world.cmp_a1a,
        wished_at=directory.tomorrow,
        address="1幢",
    )
    assert list(selectors.provider_queue(fetched_by=directory.doctor_user)) == [order]
    assert list(selectors.provider_queue(fetched_by=directory.fixer_user)) == [repair]
    assert set(selectors.own_orders(fetched_by=world.resident)) == {order, repair}
    assert list(selectors.own_orders(fetched_by=directory.doctor_user)) == []
    assert set(selectors.orders_in_reach(fetched_by=world.a1_staff)) == {order, repair}
    assert list(selectors.orders_in_reach(fetched_by=world.a2_staff)) == []
    assert list(selectors.orders_in_reach(fetched_by=world.viewer)) == []
    # The orderer's name: in full for the provider who serves them.
    name = world.resident.display_name or world.resident.username
    assert selectors.shown_resident(order, directory.doctor_user) == name


def test_residents_see_only_listed_services_that_reach_them(world, directory):
    skilled = UserFactory(username="skilled")
    bind(skilled, Role.RESIDENT, world.cmp_a1b)
    pending = services.provider_register(
        actor=world.a1_staff, node=world.cmp_a1a, kind="skilled", name="待审能人", user=skilled
    )
    services.service_add(
        actor=world.a1_staff,
        provider=pending,
        area=world.comm_a1,
        category="other",
        title="未审服务",
        place="online",
    )
    seen = {s.title for s, _km in selectors.services_near(fetched_by=world.resident)}
    assert seen == {"小区医生健康咨询", "家电小修"}
    assert selectors.services_near(fetched_by=world.a2_staff) == []
    far = UserFactory(username="b1a-resident")
    bind(far, Role.RESIDENT, world.cmp_b1a)
    assert selectors.services_near(fetched_by=far) == []
    # A provider awaiting review is in no resident's search; staff over its place still see its service.
    assert "未审服务" not in {s.title for s, _ in selectors.services_near(fetched_by=directory.doctor_user)}
    assert "未审服务" in {s.title for s in selectors.service_list(fetched_by=world.a1_staff)}
