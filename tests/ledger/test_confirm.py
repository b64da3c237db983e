"""Spending points on the web takes a confirmation; history carries the dates of what it records; awards
go to a person found by name; the approve button only for those who may approve."""

from datetime import timedelta

from django.utils import timezone

from gongzhi.ledger import mall
from gongzhi.ledger.earning import service_points_post
from gongzhi.ledger.models import MallOrder, PointsAward, PointsTransaction
from gongzhi.ledger.selectors import own_entries, people_in_reach


def _item(world, **extra):
    return mall.item_create(
        actor=world.a1_staff,
        node=world.comm_a1,
        name="便民理发",
        price=30,
        stock=5,
        limit_per_person=2,
        pickup_place="社区A1党群服务中心",
        pickup_hours="每周六 8:30–11:30",
        **extra,
    )


def _points(world, n=100):
    service_points_post(
        key="seed", subdistrict=world.sub_a, user=world.resident, points=n, actor=world.a1_staff, memo="seed"
    )


def test_no_order_without_the_confirm_step_on_the_web(world, login):
    item = _item(world)
    _points(world)
    resident = login(world.resident)
    # The mall shows where and when to pick up before anything is bought.
    page = resident.get("/mall/").content.decode()
    assert "社区A1党群服务中心" in page and "每周六 8:30–11:30" in page
    # A post without the confirmation (an old page, a crafted form) lands on the confirmation page.
    response = resident.post(f"/mall/items/{item.pk}/order/", {"quantity": "2", "client_key": "k1"})
    assert (
        response.status_code == 302 and response["Location"] == f"/mall/items/{item.pk}/confirm/?quantity=2"
    )
    assert MallOrder.objects.count() == 0
    confirm = resident.get(response["Location"]).content.decode()
    for text in ("60", "100", "40", "每周六 8:30–11:30", "确认兑换，支付 60 积分"):
        assert text in confirm, text
    response = resident.post(
        f"/mall/items/{item.pk}/order/", {"quantity": "2", "client_key": "k1", "confirm": "1"}
    )
    order = MallOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mall/orders/{order.pk}/"
    detail = resident.get(response["Location"]).content.decode()
    assert "接下来" in detail and "社区A1党群服务中心" in detail
    # The same tap again: still one order.
    resident.post(f"/mall/items/{item.pk}/order/", {"quantity": "2", "client_key": "k1", "confirm": "1"})
    assert MallOrder.objects.count() == 1


def test_the_confirmation_says_why_an_order_cannot_go_through(world, login):
    item = _item(world)
    _points(world, 20)
    page = login(world.resident).get(f"/mall/items/{item.pk}/confirm/?quantity=1").content.decode()
    assert "积分不够：需要 30 积分，您现有 20 积分。" in page and "确认兑换，支付" not in page
    # Refused by the service after all (short of points): the confirmation again, nothing changed.
    response = login(world.resident).post(
        f"/mall/items/{item.pk}/order/", {"quantity": "1", "client_key": "k2", "confirm": "1"}
    )
    assert response.status_code == 409 and MallOrder.objects.count() == 0


def test_the_api_keeps_its_single_idempotent_call(world, api_login):
    item = _item(world)
    _points(world)
    client = api_login(world.resident)
    body = {"item_id": item.pk, "quantity": 1, "client_key": "api-1"}
    first = client.post("/api/v1/mall/orders", body, content_type="application/json")
    again = client.post("/api/v1/mall/orders", body, content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200 and MallOrder.objects.count() == 1


def test_history_is_dated_by_what_it_records(world):
    served = timezone.now() - timedelta(days=40)
    service_points_post(
        key="service:1",
        subdistrict=world.sub_a,
        user=world.resident,
        points=15,
        actor=world.a1_staff,
        memo="助老陪护 1.5h",
        occurred_at=served,
    )
    _points(world, 50)  # today
    record = PointsTransaction.objects.get(key="service:1")
    assert record.occurred_at == served and record.created_at > served  # both dates kept
    entries = list(own_entries(fetched_by=world.resident))
    assert [e.transaction.key for e in entries] == ["seed", "service:1"]
    placed = timezone.now() - timedelta(days=10)
    order, _ = mall.order_place(
        actor=world.resident, item=_item(world), client_key="paper-1", placed_at=placed
    )
    assert order.created_at == placed
    assert PointsTransaction.objects.get(key=f"mall-order:{order.pk}").occurred_at == placed


def test_an_order_cannot_be_dated_in_the_future(world):
    import pytest

    from gongzhi.ledger.errors import MallError

    _points(world)
    with pytest.raises(MallError):
        mall.order_place(
            actor=world.resident,
            item=_item(world),
            client_key="later",
            placed_at=timezone.now() + timedelta(days=1),
        )
    assert MallOrder.objects.count() == 0


def test_people_are_found_by_name_or_whole_number_within_reach(world, login):
    world.resident.display_name = "张三"
    world.resident.set_phone("13812341234")
    world.resident.save()
    assert people_in_reach(fetched_by=world.a1_staff, query="张") == [world.resident]
    assert people_in_reach(fetched_by=world.a1_staff, query="138 1234 1234") == [world.resident]
    assert people_in_reach(fetched_by=world.a1_staff, query="1234") == []  # no search on parts of numbers
    assert people_in_reach(fetched_by=world.sub_b_admin, query="张") == []  # out of reach
    page = login(world.a1_staff).get("/mall/manage/people/?who=张").content.decode()
    assert "张三" in page and "138****1234" in page
    assert login(world.resident).get("/mall/manage/people/?who=张").status_code == 403


def test_an_award_to_a_person_found_by_name_approved_by_a_second_caseworker(world, login):
    staff = login(world.a1_staff)
    staff.post(
        "/mall/manage/",
        {
            "form": "propose",
            "node": world.comm_a1.pk,
            "recipient": world.resident.pk,
            "amount": "20",
            "reason": "扶老人",
        },
    )
    award = PointsAward.objects.get()
    assert award.recipient == world.resident
    own_page = staff.get("/mall/manage/").content.decode()
    assert f'name="award" value="{award.pk}"' in own_page
    assert 'value="approve"' not in own_page  # never on one's own proposal
    assert 'value="approve"' in login(world.a1_secretary).get("/mall/manage/").content.decode()


def test_an_award_to_someone_out_of_reach_is_refused(world, login):
    other = world.sub_b_admin
    response = login(world.a1_staff).post(
        "/mall/manage/",
        {"form": "propose", "node": world.comm_a1.pk, "recipient": other.pk, "amount": "20", "reason": "x"},
    )
    assert response.status_code == 400 and PointsAward.objects.count() == 0


def test_place_picker_walks_levels_and_searches_within_reach(world, login):
    staff = login(world.a1_staff)
    page = staff.get("/places/?purpose=organise&field=node").content.decode()
    assert "小区A1a" in page and "小区A2a" not in page  # opened at the top of the reach: 社区A1
    found = staff.get("/places/?purpose=organise&field=node&q=小区").content.decode()
    assert "小区A1b" in found and "小区A2a" not in found and "小区B1a" not in found
    chosen = staff.get(f"/places/?purpose=organise&field=node&selected={world.cmp_a1b.pk}").content.decode()
    assert f'name="node" value="{world.cmp_a1b.pk}"' in chosen
    outside = staff.get(f"/places/?purpose=organise&field=node&selected={world.cmp_b1a.pk}").content.decode()
    assert f'value="{world.cmp_b1a.pk}"' not in outside and "小区B1a" not in outside
    assert staff.get("/places/?purpose=nothing").status_code == 404
    admin = login(world.sub_admin).get("/places/?purpose=mall&field=node").content.decode()
    assert "社区A1" in admin and "社区A2" in admin and "小区A1a" not in admin  # items: down to communities
