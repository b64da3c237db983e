"""The API: /plans, /services, /service-orders — the happy path, the error contract, out-of-scope 404s,
malformed input (huge numbers, non-ASCII digits, extreme dates, NUL) and a pinned query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.community.models import OrderStatus, ServiceOrder

pytestmark = pytest.mark.django_db


def test_a_resident_orders_and_the_doctor_answers_through_the_api(world, directory, api_login):
    resident, doctor = api_login(world.resident), api_login(directory.doctor_user)
    found = resident.get("/api/v1/services?category=health").json()
    assert [s["title"] for s in found] == ["小区医生健康咨询"]
    when = directory.tomorrow.isoformat()
    made = resident.post(
        "/api/v1/service-orders",
        {
            "service_id": found[0]["id"],
            "node_id": world.cmp_a1a.pk,
            "wished_at": when,
            "address": "1幢101",
            "for_whom": "母亲",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["status"] == "requested" and order["actions"] == ["cancel"]
    queue = doctor.get("/api/v1/service-orders?view=queue").json()
    assert [o["id"] for o in queue] == [order["id"]] and queue[0]["actions"] == [
        "accept",
        "propose",
        "decline",
    ]
    for action, body in (("accept", {}), ("done", {"hours": "1"})):
        step = doctor.post(
            f"/api/v1/service-orders/{order['id']}/transitions",
            {"action": action, **body},
            content_type="application/json",
        )
        assert step.status_code == 200, step.content
    rated = resident.post(
        f"/api/v1/service-orders/{order['id']}/transitions",
        {"action": "confirm", "rating": 5, "note": "好"},
        content_type="application/json",
    )
    assert rated.json()["status"] == "confirmed" and rated.json()["points"] == 10
    again = resident.post(
        f"/api/v1/service-orders/{order['id']}/transitions",
        {"action": "confirm", "rating": 5},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    rates = api_login(world.a1_staff).get("/api/v1/service-orders/rates").json()
    assert rates == {"orders": 1, "response_rate": 1.0, "completion_rate": 1.0, "rating": 5.0}


def test_out_of_reach_answers_404_and_wrong_role_403(world, directory, order, api_login):
    for user in (world.a2_staff, world.sub_b_admin, world.viewer, directory.fixer_user):
        got = api_login(user).get(f"/api/v1/service-orders/{order.pk}")
        assert got.status_code == 404 and got.json()["code"] == "not_found"
    refused = api_login(world.resident).post(
        f"/api/v1/service-orders/{order.pk}/transitions",
        {"action": "accept"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert ServiceOrder.objects.get().status == OrderStatus.REQUESTED


@pytest.mark.parametrize(
    "wished_at",
    ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59+08:00", "0001-01-01T00:00:00Z", "²"],
)
def test_extreme_times_are_refused_cleanly(world, directory, api_login, wished_at):
    got = api_login(world.resident).post(
        "/api/v1/service-orders",
        {
            "service_id": directory.advice.pk,
            "node_id": world.cmp_a1a.pk,
            "wished_at": wished_at,
            "address": "1幢",
        },
        content_type="application/json",
    )
    assert got.status_code == 422 and "code" in got.json()
    assert not ServiceOrder.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/service-orders/99999999999999999999999",
        "/api/v1/services/²",
        "/api/v1/plans/9223372036854775808",
        "/api/v1/services?weekday=8",
        "/api/v1/services?weekday=²",
        "/api/v1/services?q=%00",
    ],
)
def test_malformed_reads_get_the_error_contract(world, directory, api_login, path):
    got = api_login(world.resident).get(path)
    assert got.status_code in (200, 404, 422), (path, got.status_code)
    if got.status_code != 200:
        assert "code" in got.json()


def test_bad_order_input_is_422_and_changes_nothing(world, directory, api_login):
    client = api_login(world.resident)
    base = {
        "service_id": directory.advice.pk,
        "node_id": world.cmp_a1a.pk,
        "wished_at": directory.tomorrow.isoformat(),
    }
    for extra in (
        {"address": "x" * 121},
        {"note": "a\x00b", "address": ""},
        {"for_whom": "x" * 21, "address": "1"},
    ):
        got = client.post("/api/v1/service-orders", {**base, **extra}, content_type="application/json")
        assert got.status_code == 422, extra
    step = client.post(
        "/api/v1/service-orders/1/transitions",
        {"action": "confirm", "rating": 9},
        content_type="application/json",
    )
    assert step.status_code in (404, 422)
    assert not ServiceOrder.objects.exists()


def test_low_cost_price_above_the_cap_is_refused_through_the_api(world, directory, api_login):
    got = api_login(world.a1_staff).post(
        "/api/v1/services",
        {
            "provider_id": directory.fixer.pk,
            "area_id": world.comm_a1.pk,
            "category": "repair",
            "title": "换锁",
            "place": "home",
            "price_kind": "low_cost",
            "price": "31",
        },
        content_type="application/json",
    )
    assert got.status_code == 422 and got.json()["code"] == "above_cap"


def test_a_community_secretary_updates_a_task_and_the_plan_moves(world, plan, api_login):
    secretary = api_login(world.a1_secretary)
    assert [p["id"] for p in secretary.get("/api/v1/plans").json()] == [plan.plan.pk]
    before = secretary.get(f"/api/v1/plans/{plan.plan.pk}").json()
    assert before["progress"] == 0.0
    mine = [t for t in before["tasks"] if t["may_update"]]
    assert [t["id"] for t in mine] == [plan.a1_task.pk]
    got = secretary.post(
        f"/api/v1/plans/{plan.plan.pk}/tasks/{plan.a1_task.pk}/progress",
        {"progress": 100, "evidence": "清单已公示"},
        content_type="application/json",
    )
    assert got.status_code == 200 and got.json()["progress"] == 100
    assert secretary.get(f"/api/v1/plans/{plan.plan.pk}").json()["progress"] == 25.0
    # The neighbouring community's task is not theirs.
    other = secretary.post(
        f"/api/v1/plans/{plan.plan.pk}/tasks/{plan.a2_task.pk}/progress",
        {"progress": 100, "evidence": "x"},
        content_type="application/json",
    )
    assert other.status_code in (403, 404)
    assert api_login(world.sub_b_admin).get(f"/api/v1/plans/{plan.plan.pk}").status_code == 404
    bad = secretary.post(
        f"/api/v1/plans/{plan.plan.pk}/tasks/{plan.a1_task.pk}/progress",
        {"progress": 101, "evidence": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_listing_orders_takes_a_fixed_number_of_queries(world, directory, api_login):
    from gongzhi.community import services

    client = api_login(world.a1_staff)
    client.get("/api/v1/service-orders?view=all")  # warm the token and session
    counts = []
    for _ in range(2):
        for n in range(3):
            services.order_place(
                actor=world.resident,
                service=directory.advice,
                compound=world.cmp_a1a,
                wished_at=directory.tomorrow,
                address=f"{n}幢",
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/service-orders?view=all").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
