"""The booking page through Django's test client: a weekly booking lands on the bookings page at its top, a
clash is refused with the booking in the way named and what was typed kept, dates left out are shown in the
form's section (where the page opens after posting)."""

from datetime import timedelta

import pytest

from gongzhi.venues.models import ActivityKind, Booking, Space, Venue, VisitCount
from tests.venues.conftest import next_weekday

pytestmark = pytest.mark.django_db


def _post(client, space, **fields):
    data = {"start": "14:00", "end": "16:00", "repeat": "none", "on_clash": "refuse_all", **fields}
    return client.post(f"/venues/spaces/{space.pk}/book/", data)


def test_weekly_booking_lands_on_my_bookings_at_the_top(client, world, centre):
    client.force_login(world.a1_secretary)
    wed = next_weekday(2)
    response = _post(
        client, centre.room, title="社区A1居民议事会", day=wed.isoformat(), repeat="weekly", weekdays=["2"],
        count="4",
    )  # fmt: skip
    assert response.status_code == 302
    # The form posts to "#booking-form"; the redirect names its own fragment, or the browser carries
    # "#booking-form" on to a page that has no such place.
    assert response["Location"] == "/venues/bookings/#main"
    assert Booking.objects.filter(space=centre.room, title="社区A1居民议事会").count() == 4
    page = client.get("/venues/bookings/")
    assert page.content.decode().count("社区A1居民议事会") == 4
    assert 'id="main"' in page.content.decode()


def test_a_clash_is_refused_naming_the_booking_in_the_way(client, world, centre):
    wed = next_weekday(2)
    client.force_login(world.a1_secretary)
    assert _post(client, centre.room, title="社区A1居民议事会", day=wed.isoformat()).status_code == 302
    client.force_login(world.a2_staff)
    response = _post(client, centre.room, title="社区A2培训", day=wed.isoformat(), start="15:00", end="17:00")
    assert response.status_code == 400
    text = response.content.decode()
    assert "已被预约" in text and "社区A1居民议事会" in text
    assert 'value="社区A2培训"' in text
    assert Booking.objects.filter(title="社区A2培训").count() == 0


def test_dates_left_out_are_shown_where_the_page_opens(client, world, centre):
    wed = next_weekday(2)
    client.force_login(world.a1_secretary)
    _post(client, centre.room, title="社区A1居民议事会", day=(wed + timedelta(days=7)).isoformat())
    client.force_login(world.a2_staff)
    response = _post(
        client, centre.room, title="社区A2培训", day=wed.isoformat(), repeat="weekly", weekdays=["2"],
        count="3", on_clash="skip",
    )  # fmt: skip
    assert response.status_code == 200
    assert Booking.objects.filter(title="社区A2培训").count() == 2
    text = response.content.decode()
    section = text[text.index('id="booking-form"') :]
    assert 'id="skipped"' in section and (wed + timedelta(days=7)).isoformat() in section


def test_the_district_viewer_sees_venue_figures_only(client, world, centre):
    wed = next_weekday(2)
    client.force_login(world.a1_secretary)
    assert _post(client, centre.room, title="社区A1居民议事会", day=wed.isoformat()).status_code == 302
    VisitCount.objects.create(venue=centre, day=wed, kind=ActivityKind.values[0], visitors=120, activities=3)
    client.force_login(world.viewer)
    home = client.get("/").content.decode()
    assert 'href="/venues/"' not in home and 'href="/venues/desk/"' in home
    assert client.get("/venues/")["Location"] == "/venues/desk/"
    desk = client.get("/venues/desk/").content.decode()
    assert "社区A1居民议事会" not in desk and "venue-levels" in desk
    assert '<td class="num">3000</td>' in desk and '<td class="num">120</td>' in desk


def test_staff_add_and_change_a_venue_and_its_areas_on_pages(client, world, centre):
    client.force_login(world.a1_secretary)
    page = client.get("/venues/new/").content.decode()
    assert 'name="node"' in page and "picker-" in page  # the place picker of the other apps' forms
    venue_fields = {
        "name": "社区A1党群服务中心",
        "level": "community_centre",
        "opens_at": "08:30",
        "closes_at": "20:30",
    }
    # The place's own location is used when none is typed; another subdistrict's place is not offered.
    assert client.post("/venues/new/", venue_fields | {"node": world.comm_b1.pk}).status_code == 404
    response = client.post("/venues/new/", venue_fields | {"node": world.comm_a1.pk, "floor_area_m2": "800"})
    venue = Venue.objects.get(name="社区A1党群服务中心")
    assert response["Location"] == f"/venues/{venue.pk}/"
    assert (venue.node, venue.lat, venue.floor_area_m2) == (world.comm_a1, 30.301, 800)
    # A venue must close after it opens: refused, unchanged.
    bad = client.post(
        f"/venues/{venue.pk}/edit/", venue_fields | {"node": world.comm_a1.pk, "closes_at": "08:00"}
    )
    assert bad.status_code == 400 and "关门时间须晚于开门时间" in bad.content.decode()
    changed = client.post(
        f"/venues/{venue.pk}/edit/",
        venue_fields | {"node": world.comm_a1.pk, "name": "A1邻里中心", "lat": "30.31", "lng": "120.16"},
    )
    assert changed.status_code == 302
    venue.refresh_from_db()
    assert (venue.name, venue.lat, venue.closes_at.hour) == ("A1邻里中心", 30.31, 20)
    space_fields = {
        "name": "议事厅",
        "kind": "deliberation",
        "capacity": "30",
        "bookable_by": "organisations",
        "max_days_ahead": "60",
    }
    assert client.post(f"/venues/{venue.pk}/spaces/new/", space_fields).status_code == 302
    space = Space.objects.get(venue=venue)
    assert (space.capacity, space.needs_approval) == (30, False)
    assert (
        client.post(f"/venues/spaces/{space.pk}/edit/", space_fields | {"capacity": "45"}).status_code == 302
    )
    space.refresh_from_db()
    assert space.capacity == 45
    # The subdistrict's centre is not the community's to change.
    assert client.get(f"/venues/{centre.pk}/edit/").status_code == 404
    assert client.post(f"/venues/spaces/{centre.room.pk}/edit/", space_fields).status_code == 404
    client.force_login(world.resident)
    assert client.get("/venues/new/").status_code == 404
