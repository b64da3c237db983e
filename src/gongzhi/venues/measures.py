"""The venues' day measures for the cockpit's rollups (docs/cockpit.md): per node (the venue's) and day,
the visitors and activities counted, the bookings confirmed (by the day they start) and the residents
served by convenience services. What the venues are as of now (levels, floor area) is read from the
venues themselves: it is not a figure of days."""

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain
from typing import Any

from django.db.models import Count, Sum

from gongzhi.core.kpis import measure_rows, on_days
from gongzhi.venues.models import Booking, BookingStatus, ServiceDelivery, VisitCount

SOURCES = [
    ("venues.visitcount", "day", ("created_at",)),
    ("venues.booking", "starts_at", ("created_at",)),
    ("venues.servicedelivery", "day", ("created_at",)),
]
NAMES = ("visitors", "activities", "bookings_confirmed", "residents_served")


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    days = None if days is None else list(days)
    # unscoped: derived figures of every venue; readers apply their own scope (cockpit)
    visits = VisitCount.objects.all()
    # unscoped: derived figures of every booking
    bookings = Booking.objects.filter(status=BookingStatus.CONFIRMED)
    # unscoped: derived figures of every service
    served = ServiceDelivery.objects.all()
    if days is not None:
        visits = visits.filter(on_days("day", days, is_date=True))
        bookings = bookings.filter(on_days("starts_at", days))
        served = served.filter(on_days("day", days, is_date=True))
    return chain(
        measure_rows(
            visits,
            node="venue__node_id",
            day="day",
            is_date=True,
            aggregates={"visitors": Sum("visitors"), "activities": Sum("activities")},
        ),
        measure_rows(
            bookings,
            node="space__venue__node_id",
            day="starts_at",
            aggregates={"bookings_confirmed": Count("pk")},
        ),
        measure_rows(
            served,
            node="service__venue__node_id",
            day="day",
            is_date=True,
            aggregates={"residents_served": Sum("served")},
        ),
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    return {name: int(sums.get(name, 0)) for name in NAMES}
