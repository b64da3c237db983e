"""The venues API: the shapes, the clash answer, the error contract on bad input, scoping (404)."""

from datetime import timedelta

import pytest

from gongzhi.venues.models import Booking
from tests.venues.conftest import at, next_weekday

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def body(space, day, start=14, end=16, **extra):
    return {
        "space_id": space.pk,
        "title": "居民议事会",
        "starts_at": at(day, start).isoformat(),
        "ends_at": at(day, end).isoformat(),
        **extra,
    }


def test_venues_and_spaces_for_a_resident_of_the_subdistrict(world, centre, api_login):
    client = api_login(world.resident)
    venues = client.get("/api/v1/venues").json()
    assert [v["name"] for v in venues["items"]] == ["街道A党群服务中心"]
    spaces = client.get(f"/api/v1/spaces?venue_id={centre.pk}").json()
    assert {s["name"]: s["may_book"] for s in spaces} == {
        "议事协商室": False,
        "多功能厅": False,
        "党建书吧": True,
    }
    # Another subdistrict sees nothing of it.
    other = api_login(world.sub_b_admin)
    assert other.get("/api/v1/venues").json()["items"] == []
    assert other.get(f"/api/v1/venues/{centre.pk}").status_code == 404
    assert other.get(f"/api/v1/spaces?venue_id={centre.pk}").json()["code"] == "not_found"


def test_weekly_booking_and_the_clash_answer(world, centre, api_login):
    client = api_login(world.a1_secretary)
    wed = next_weekday(2)
    made = client.post(
        "/api/v1/bookings",
        body(centre.room, wed, repeat="weekly", weekdays=[2], count=3, for_node_id=world.comm_a1.pk),
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    data = made.json()
    assert data["rule"] == "FREQ=WEEKLY;BYDAY=WE;COUNT=3"
    assert [b["status"] for b in data["bookings"]] == ["confirmed"] * 3
    assert data["bookings"][0]["for_node"] == "社区A1"
    clash = api_login(world.a2_staff).post(
        "/api/v1/bookings",
        body(centre.room, wed + timedelta(days=7), 15, 17),
        content_type="application/json",
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "clash"
    assert clash.json()["fields"]["clashes_with"] == [str(data["bookings"][1]["id"])]
    busy = api_login(world.resident).get(
        f"/api/v1/spaces/{centre.room.pk}/busy?start={at(wed, 0).isoformat().replace('+', '%2B')}"
    )
    assert busy.status_code == 200 and len(busy.json()) == 2
    assert "title" not in busy.json()[0]


def test_approvals_and_transitions(world, centre, api_login):
    wed = next_weekday(3)
    made = api_login(world.a1_secretary).post(
        "/api/v1/bookings", body(centre.hall, wed), content_type="application/json"
    )
    booking_id = made.json()["bookings"][0]["id"]
    admin = api_login(world.sub_admin)
    queue = admin.get("/api/v1/bookings?view=approvals").json()["items"]
    assert [b["id"] for b in queue] == [booking_id] and queue[0]["actions"] == ["approve", "reject", "cancel"]
    assert api_login(world.a2_staff).get("/api/v1/bookings?view=approvals").json()["items"] == []
    refused = api_login(world.a2_staff).post(
        f"/api/v1/bookings/{booking_id}/transitions", {"action": "approve"}, content_type="application/json"
    )
    assert refused.status_code == 404  # not theirs to see
    no_reason = admin.post(
        f"/api/v1/bookings/{booking_id}/transitions", {"action": "reject"}, content_type="application/json"
    )
    assert no_reason.status_code == 422
    ok = admin.post(
        f"/api/v1/bookings/{booking_id}/transitions", {"action": "approve"}, content_type="application/json"
    )
    assert ok.json()["status"] == "confirmed"


@pytest.mark.parametrize(
    "change",
    [
        {"space_id": 10**30},
        {"space_id": "²"},
        {"title": "x" * 81},
        {"title": "议\x00事"},
        {"starts_at": "0001-01-01T00:00:00+08:00"},
        {"starts_at": "9999-12-31T23:00:00+08:00", "ends_at": "9999-12-31T23:30:00+08:00"},
        {"count": 10**20, "repeat": "weekly", "weekdays": [2]},
        {"weekdays": [9], "repeat": "weekly", "count": 2},
        {"until": "9999-12-31", "repeat": "workdays"},
        {"repeat": "yearly"},
    ],
)
def test_bad_input_is_a_structured_error_and_books_nothing(world, centre, api_login, change):
    client = api_login(world.a1_secretary)
    response = client.post(
        "/api/v1/bookings", body(centre.room, next_weekday(2)) | change, content_type="application/json"
    )
    assert response.status_code in (404, 422), response.content
    assert set(response.json()) == {"code", "detail", "fields"}
    assert not Booking.objects.exists()


def test_coverage_and_siting(world, centre, api_login):
    from tests.accounts.factories import PersonFactory

    for _ in range(3):
        PersonFactory(node=world.bld_a2a)
    admin = api_login(world.sub_admin)
    data = admin.get(f"/api/v1/coverage?node={world.sub_a.pk}").json()
    total = data["total"]
    assert total["residents"] == 5  # 2 in the fixture's register at buildings + 3 here
    # 楼A1a-1 is 0.3 km from the centre, 楼A2a-1 3.3 km: one resident of five within 1 km.
    assert total["1000"]["any"] == {"covered": 1, "share": 0.2}
    assert total["500"]["subdistrict_centre"]["covered"] == 1
    assert [b["name"] for b in data["uncovered"]] == ["楼A2a-1"]
    assert {c["community"]: c["1000"]["any"]["share"] for c in data["communities"]} == {
        "社区A1": 1.0,
        "社区A2": 0.0,
    }
    plan = admin.post(
        "/api/v1/siting",
        {
            "node_id": world.sub_a.pk,
            "k": 1,
            "candidates": "compounds",
            "save": {"title": "新站", "year": 2026, "adopt": True},
        },
        content_type="application/json",
    ).json()
    assert plan["exact"]["covered"] == 4 and plan["exact"]["sites"][0]["name"] == "小区A2a"
    assert plan["greedy_gap"] == 0.0 and plan["plan_id"]
    listed = admin.get(f"/api/v1/station-plans?node_id={world.sub_a.pk}").json()
    assert listed[0]["adopted"] and listed[0]["newly_covered"] == 4
    # Sites staff enter: the one far away covers nobody.
    far = admin.post(
        "/api/v1/siting",
        {"node_id": world.sub_a.pk, "k": 1, "candidates": [{"name": "远处", "lat": 31.0, "lng": 121.0}]},
        content_type="application/json",
    ).json()
    assert far["exact"]["covered"] == 0
    # Residents and another subdistrict's staff do not see the circle.
    assert api_login(world.resident).get(f"/api/v1/coverage?node={world.sub_a.pk}").status_code == 404
    assert api_login(world.sub_b_admin).get(f"/api/v1/coverage?node={world.sub_a.pk}").status_code == 404
    assert admin.get(f"/api/v1/coverage?node={world.sub_a.pk}&distance=10").status_code == 422
    assert (
        admin.post(
            "/api/v1/siting", {"node_id": world.sub_a.pk, "k": 0}, content_type="application/json"
        ).status_code
        == 422
    )
