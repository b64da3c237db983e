"""Venue figures for a subtree and period: visitors and activities counted at its venues (by the day of
the count), and, as of now, its venues by level, their floor area, bookings confirmed in the period and
residents served by convenience services. The cockpit reads these; the service circle's shares are
``/api/v1/coverage`` (they are a map's worth of work, not a counter)."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node
from gongzhi.venues.models import Booking, BookingStatus, ServiceDelivery, Venue, VenueLevel, VisitCount


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    return {"visitors": row["visitors"] or 0, "activities": row["activities"] or 0}


def venues_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    rows = VisitCount.objects.visible_to(fetched_by, "count").filter(
        subtree_q("venue__node", [node.path]), day__gte=start.date(), day__lt=end.date()
    )
    result = kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=rows,
        aggregates={"visitors": Sum("visitors"), "activities": Sum("activities")},
        path_field="venue__node__path",
        date_field="day",
        finish=_finish,
        group_by=group_by,
    )
    venues = Venue.objects.visible_to(fetched_by, "count").filter(subtree_q("node", [node.path]))
    counted = venues.aggregate(
        venues=Count("pk"),
        floor_area_m2=Sum("floor_area_m2"),
        visits_before=Sum("visits_before"),
        activities_before=Sum("activities_before"),
        **{level: Count("pk", filter=Q(level=level)) for level in VenueLevel.values},
    )
    bookings = Booking.objects.visible_to(fetched_by, "count").filter(
        subtree_q("space__venue__node", [node.path]),
        status=BookingStatus.CONFIRMED,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    served = ServiceDelivery.objects.visible_to(fetched_by, "count").filter(
        subtree_q("service__venue__node", [node.path]), day__gte=start.date(), day__lt=end.date()
    )
    result["total"].update(
        {key: value or 0 for key, value in counted.items()},
        bookings_confirmed=bookings.count(),
        residents_served=served.aggregate(n=Sum("served"))["n"] or 0,
    )
    return result
