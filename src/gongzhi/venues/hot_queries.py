"""The venue requests each role makes most, whose plans must not grow with the bookings (gongzhi.core.plans).
A new list, queue or detail of venues or bookings adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.core.workdays import SHANGHAI
from gongzhi.venues.models import Booking, BookingStatus, Space, SpaceKind, Venue, VenueLevel

LARGE_TABLES = ("venues_booking",)

# Bookings are made at most an area's "days ahead" (up to a year) in advance: the upcoming ones are bounded by
# that horizon and the venues' areas, not by the years of history the table keeps.
_UPCOMING = (
    "the upcoming bookings of the venues the user runs (bounded by the booking horizon, not the history)"
)

HOT_REQUESTS = [
    HotRequest(
        "venues",
        "resident",
        "/api/v1/venues?limit=25",
        sorted_ok="the venues of the resident's subdistrict and places: a few hundred at most (城厢 has 120)",
    ),
    HotRequest(
        "own bookings",
        "resident",
        "/api/v1/bookings?limit=25",
        sorted_ok="one person's own bookings, ordered by when they are",
    ),
    HotRequest(
        "venues' bookings", "community_staff", "/api/v1/bookings?view=all&limit=25", sorted_ok=_UPCOMING
    ),
    HotRequest(
        "venues' bookings", "subdistrict_admin", "/api/v1/bookings?view=all&limit=25", sorted_ok=_UPCOMING
    ),
    HotRequest(
        "awaiting approval",
        "subdistrict_admin",
        "/api/v1/bookings?view=approvals&limit=25",
        sorted_ok="the bookings awaiting the user's approval: the desk's queue of the days ahead",
    ),
    HotRequest("booking", "subdistrict_admin", "/api/v1/bookings/{venue_booking}", kind="detail"),
    HotRequest(
        "when an area is taken",
        "resident",
        "/api/v1/spaces/{venue_space}/busy?start={venue_busy_from}&days=14",
        sorted_ok="two weeks of one area: a few dozen bookings",
    ),
]


def seed(world: Any, *, count: int = 20_000) -> dict[str, Any]:
    """A subdistrict centre and a community centre with five areas, booked ``count`` times over two years in
    two-hour slots (no overlaps: the exclusion constraint holds on PostgreSQL); one booking in fifty is the
    resident's, one in twenty awaits approval, one in ten was cancelled."""
    rng = random.Random(16)
    centre = Venue.objects.create(
        node=world.sub_a,
        name="街道A党群服务中心(计划)",
        level=VenueLevel.SUBDISTRICT_CENTRE,
        lat=30.3,
        lng=120.15,
    )
    community = Venue.objects.create(
        node=world.comm_a1,
        name="社区A1党群服务中心(计划)",
        level=VenueLevel.COMMUNITY_CENTRE,
        lat=30.3,
        lng=120.15,
    )
    spaces = [
        Space.objects.create(venue=venue, name=name, kind=kind)
        for venue, name, kind in [
            (centre, "议事协商室", SpaceKind.DELIBERATION),
            (centre, "多功能厅", SpaceKind.CULTURE),
            (centre, "党建书吧", SpaceKind.PARTY),
            (community, "议事厅", SpaceKind.DELIBERATION),
            (community, "活动室", SpaceKind.CULTURE),
        ]
    ]
    bookers = [world.a1_secretary, world.a2_staff, world.sub_admin, world.commissioner]
    first = timezone.localtime(timezone.now(), SHANGHAI).date() - timedelta(days=365)
    rows = []
    for i in range(count):
        space = spaces[i % len(spaces)]
        slot = i // len(spaces)
        day = first + timedelta(days=slot // 5)
        starts = datetime.combine(day, time(8 + 2 * (slot % 5)), SHANGHAI)
        roll = rng.random()
        status = (
            BookingStatus.PENDING
            if roll < 0.05
            else BookingStatus.CANCELLED
            if roll < 0.15
            else BookingStatus.CONFIRMED
        )
        rows.append(
            Booking(
                space=space,
                title="议事会",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                status=status,
                booked_by=world.resident if i % 50 == 0 else rng.choice(bookers),
                for_node=world.comm_a1,
            )
        )
    Booking.objects.bulk_create(rows, batch_size=2000)
    busy_from = timezone.localtime(timezone.now(), SHANGHAI).date()
    return {
        "venue_booking": Booking.objects.filter(space=spaces[0])
        .order_by("-pk")
        .values_list("pk", flat=True)[0],
        "venue_space": spaces[2].pk,
        "venue_busy_from": f"{busy_from.isoformat()}T00:00:00%2B08:00",
    }
