"""iCalendar feeds, parsed back with the icalendar package."""

import pytest
from django.test import Client
from icalendar import Calendar

from gongzhi.venues import ical, services
from gongzhi.venues.bookings import Repeat
from tests.venues.conftest import at, next_weekday

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_feeds_of_a_venue_an_area_and_a_subdistrict(world, centre, login):
    wed = next_weekday(2)
    services.booking_create(
        actor=world.a1_secretary, space=centre.room, title="居民议事会", starts_at=at(wed, 14), ends_at=at(wed, 16),
        for_node=world.comm_a1, repeat=Repeat(kind="weekly", weekdays=[2], count=3),
    )  # fmt: skip
    pending = services.booking_create(
        actor=world.a1_secretary, space=centre.hall, title="待批", starts_at=at(wed, 9), ends_at=at(wed, 10)
    )
    assert pending.bookings[0].status == "pending"
    anonymous = Client()
    url = f"/venues/calendar/venue/{centre.pk}.ics"
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(url + "?key=wrong").status_code == 404
    response = anonymous.get(url + "?key=" + ical.feed_key("venue", centre.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 3  # the pending booking is not in the feed
    first = sorted(events, key=lambda e: e.decoded("dtstart"))[0]
    assert str(first["summary"]) == "居民议事会（社区A1）"
    assert first.decoded("dtstart") == at(wed, 14)
    assert str(first["location"]) == "街道A党群服务中心 议事协商室"
    # A signed-in user who sees the venue needs no key; the area's and the subdistrict's feeds.
    space_feed = login(world.resident).get(f"/venues/calendar/space/{centre.hall.pk}.ics")
    assert Calendar.from_ical(space_feed.content).walk("VEVENT") == []
    sub = login(world.a1_staff).get(f"/venues/calendar/subdistrict/{world.sub_a.pk}.ics")
    assert len(Calendar.from_ical(sub.content).walk("VEVENT")) == 3
    assert login(world.sub_b_admin).get(url).status_code == 404
