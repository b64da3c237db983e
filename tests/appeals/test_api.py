import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.appeals.models import Appeal, Status

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_file_follow_and_double_tap(world, api_login):
    resident = api_login(world.resident)
    body = {"node_id": world.bld_a1a.pk, "title": "路灯不亮", "body": "3幢门口路灯坏了一周"}
    first = post(resident, "/api/v1/appeals", body, HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == 201
    again = post(resident, "/api/v1/appeals", body, HTTP_IDEMPOTENCY_KEY="tap-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Appeal.objects.count() == 1
    mine = resident.get("/api/v1/appeals").json()
    assert [a["title"] for a in mine["items"]] == ["路灯不亮"]
    detail = resident.get(f"/api/v1/appeals/{first.json()['id']}").json()
    assert [e["action"] for e in detail["timeline"]] == ["submit"]
    assert (detail["lat"], detail["lng"]) == (None, None)
    spot = post(resident, "/api/v1/appeals", body | {"lat": 30.3153, "lng": 120.1435, "client_key": "tap-2"})
    assert spot.status_code == 201 and (spot.json()["lat"], spot.json()["lng"]) == (30.3153, 120.1435)


def test_bad_input_is_structured_and_changes_nothing(world, api_login):
    resident = api_login(world.resident)
    missing = post(resident, "/api/v1/appeals", {"node_id": world.bld_a1a.pk, "title": "x"})
    assert missing.status_code == 422
    elsewhere = post(resident, "/api/v1/appeals", {"node_id": world.cmp_b1a.pk, "title": "x", "body": "y"})
    assert elsewhere.status_code == 404
    blank = post(resident, "/api/v1/appeals", {"node_id": world.bld_a1a.pk, "title": " ", "body": "y"})
    assert blank.status_code == 422 and blank.json()["code"] == "invalid"
    category = post(
        resident,
        "/api/v1/appeals",
        {"node_id": world.bld_a1a.pk, "title": "x", "body": "y", "category_id": 999999},
    )
    assert category.status_code == 422
    assert not Appeal.objects.exists()


def test_transitions_through_the_api(world, api_login):
    created = post(
        api_login(world.resident),
        "/api/v1/appeals",
        {"node_id": world.cmp_a1a.pk, "title": "噪音", "body": "夜间施工"},
    ).json()
    url = f"/api/v1/appeals/{created['id']}/transitions"
    commissioner = api_login(world.commissioner)
    accepted = post(commissioner, url, {"action": "accept"})
    assert accepted.status_code == 200 and accepted.json()["status"] == Status.ACCEPTED
    again = post(commissioner, url, {"action": "accept"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    assert post(commissioner, url, {"action": "fly"}).status_code == 422
    assert post(commissioner, url, {"action": "escalate"}).status_code == 422  # a reason is required
    escalated = post(commissioner, url, {"action": "escalate", "note": "需社区协调"}).json()
    assert escalated["tier"] == "community"
    assert post(commissioner, url, {"action": "accept"}).status_code == 403  # handled at another level now
    assert post(api_login(world.a2_staff), url, {"action": "accept"}).status_code == 404  # out of reach
    staff = api_login(world.a1_staff)
    post(staff, url, {"action": "accept"})
    resolved = post(staff, url, {"action": "resolve", "reply": "已协调施工方停工"})
    assert resolved.json()["status"] == Status.RESOLVED
    rated = post(api_login(world.resident), url, {"action": "rate", "rating": "satisfied"})
    assert rated.json()["status"] == Status.CLOSED


def test_queue_shows_what_the_user_can_act_on(world, api_login):
    for title in ("a", "b"):
        post(
            api_login(world.resident),
            "/api/v1/appeals",
            {"node_id": world.cmp_a1a.pk, "title": title, "body": "x"},
        )
    assert api_login(world.commissioner).get("/api/v1/appeals/queue").json()["count"] == 2
    assert api_login(world.a2_staff).get("/api/v1/appeals/queue").json()["count"] == 0
    assert api_login(world.viewer).get("/api/v1/appeals/queue").json()["count"] == 0


def test_list_query_count_is_flat(world, api_login):
    staff = api_login(world.sub_admin)
    resident = api_login(world.resident)
    post(resident, "/api/v1/appeals", {"node_id": world.cmp_a1a.pk, "title": "first", "body": "x"})
    staff.get("/api/v1/appeals")
    with CaptureQueriesContext(connection) as few:
        staff.get("/api/v1/appeals")
    for i in range(15):
        post(resident, "/api/v1/appeals", {"node_id": world.cmp_a1a.pk, "title": f"t{i}", "body": "x"})
    with CaptureQueriesContext(connection) as many:
        assert staff.get("/api/v1/appeals").json()["count"] == 16
    assert len(many) == len(few)
