"""Venue figures for a subtree and period: visitors and activities counted at its venues (by the day of
the count), and, as of now, its venues by level, their floor area, bookings confirmed in the period and
residents served by convenience services. The cockpit reads these; the service circle's shares are
``/api/v1/coverage`` (they are a map's worth of work, not a counter)."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import NUMBER, KpiFigure
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


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "visitors": KpiFigure(_("Visits to venues")),
    "activities": KpiFigure(_("Activities in venues")),
    "venues": KpiFigure(_("Venues")),
    "floor_area_m2": KpiFigure(_("Floor area (m²)"), NUMBER),
    "visits_before": KpiFigure(_("Visits before opening up")),
    "activities_before": KpiFigure(_("Activities before opening up")),
    "subdistrict_centre": KpiFigure(_("Subdistrict centres")),
    "community_centre": KpiFigure(_("Community centres")),
    "station": KpiFigure(_("Compound stations")),
    "waystation": KpiFigure(_("Waystations")),
    "shared": KpiFigure(_("Shared venues of alliance units")),
    "bookings_confirmed": KpiFigure(_("Bookings confirmed")),
    "residents_served": KpiFigure(_("Residents served in venues")),
}
