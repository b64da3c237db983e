"""A subdistrict centre in 街道A with a deliberation room open to communities (no approval), a hall that
needs approval, and a reading room residents may book; buildings placed on the map."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from gongzhi.core.workdays import SHANGHAI
from gongzhi.venues.models import BookableBy, Space, SpaceKind, Venue, VenueLevel


def at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def next_weekday(weekday: int, weeks: int = 1):
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * (weeks - 1) or 7)


@pytest.fixture
def centre(world):
    for node, (lat, lng) in [
        (world.sub_a, (30.300, 120.150)),
        (world.comm_a1, (30.301, 120.151)),
        (world.cmp_a1a, (30.302, 120.152)),
        (world.bld_a1a, (30.302, 120.152)),
        (world.cmp_a2a, (30.330, 120.150)),
        (world.bld_a2a, (30.330, 120.150)),
    ]:
        node.lat, node.lng = lat, lng
        node.save(update_fields=["lat", "lng"])
    venue = Venue.objects.create(
        node=world.sub_a,
        name="街道A党群服务中心",
        level=VenueLevel.SUBDISTRICT_CENTRE,
        lat=30.300,
        lng=120.150,
        floor_area_m2=3000,
        opens_at=time(8, 30),
        closes_at=time(20, 30),
    )
    venue.room = Space.objects.create(
        venue=venue, name="议事协商室", kind=SpaceKind.DELIBERATION, capacity=20, needs_approval=False
    )
    venue.hall = Space.objects.create(
        venue=venue, name="多功能厅", kind=SpaceKind.CULTURE, capacity=100, needs_approval=True
    )
    venue.reading = Space.objects.create(
        venue=venue,
        name="党建书吧",
        kind=SpaceKind.PARTY,
        capacity=10,
        needs_approval=True,
        bookable_by=BookableBy.RESIDENTS,
    )
    return venue
