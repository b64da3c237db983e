"""What each module's panel shows: the figures as tiles (key of the module's ``figures``, label, format),
the figures drawn over time, and the figure children are ranked by. A module without an entry here gets a
panel of its tiles made from every figure it has."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

COUNT, RATE, HOURS, NUMBER = "count", "rate", "hours", "number"


@dataclass(frozen=True)
class Tile:
    key: str
    label: object
    fmt: str = COUNT


@dataclass(frozen=True)
class PanelSpec:
    tiles: list[Tile]
    lines: list[str] = field(default_factory=list)  # tile keys drawn over time
    rank: str = ""  # tile key the children are ranked by
    chart: str = "line"  # "line" or "bar"


PANELS: dict[str, PanelSpec] = {
    "appeals": PanelSpec(
        tiles=[
            Tile("collected", _("Appeals collected")),
            Tile("resolved", _("Resolved")),
            Tile("response_rate", _("Response rate"), RATE),
            Tile("resolution_rate", _("Resolution rate"), RATE),
            Tile("satisfaction_rate", _("Satisfaction rate"), RATE),
            Tile("composite_score", _("Composite score"), RATE),
            Tile("on_time_rate", _("On-time rate"), RATE),
            Tile("avg_hours_to_resolve", _("Hours to resolve"), HOURS),
        ],
        lines=["response_rate", "resolution_rate", "satisfaction_rate", "composite_score"],
        rank="collected",
    ),
    "volunteering": PanelSpec(
        tiles=[
            Tile("services", _("Services")),
            Tile("hours", _("Volunteer hours"), HOURS),
            Tile("activities", _("Activities held")),
        ],
        lines=["services", "hours"],
        rank="hours",
        chart="bar",
    ),
    "wishes": PanelSpec(
        tiles=[
            Tile("posted", _("Wishes posted")),
            Tile("published", _("On the wall")),
            Tile("claimed", _("Claimed")),
            Tile("fulfilled", _("Fulfilled")),
            Tile("fulfilment_rate", _("Fulfilment rate"), RATE),
        ],
        lines=["posted", "fulfilled"],
        rank="fulfilled",
        chart="bar",
    ),
    "ledger": PanelSpec(
        tiles=[
            Tile("orders", _("Mall orders")),
            Tile("pieces", _("Pieces")),
            Tile("points_spent", _("Points redeemed")),
            Tile("refunded", _("Orders refunded")),
        ],
        lines=["points_spent"],
        rank="points_spent",
        chart="bar",
    ),
    "alliances": PanelSpec(
        tiles=[
            Tile("projects", _("Projects")),
            Tile("claimed", _("Claimed")),
            Tile("finished", _("Finished")),
            Tile("reached", _("Residents reached")),
            Tile("needs", _("Needs posted")),
            Tile("needs_matched", _("Needs matched")),
            Tile("satisfaction", _("Satisfaction rate"), RATE),
        ],
        lines=["projects", "finished"],
        rank="projects",
        chart="bar",
    ),
    "venues": PanelSpec(
        tiles=[
            Tile("visitors", _("Visitors")),
            Tile("activities", _("Activities held")),
            Tile("bookings_confirmed", _("Bookings confirmed")),
            Tile("residents_served", _("Residents served")),
        ],
        lines=["visitors"],
        rank="visitors",
        chart="bar",
    ),
    "deliberation": PanelSpec(
        tiles=[
            Tile("topics", _("Topics raised")),
            Tile("decided", _("Decided")),
            Tile("done", _("Done")),
            Tile("satisfaction_rate", _("Satisfaction rate"), RATE),
            Tile("cases", _("Mediation cases")),
            Tile("agreements", _("Agreements")),
            Tile("agreement_rate", _("Agreement rate"), RATE),
        ],
        lines=["topics", "cases"],
        rank="topics",
        chart="bar",
    ),
    "partywork": PanelSpec(
        tiles=[
            Tile("member_points_approved", _("Member points approved")),
            Tile("expenses", _("Expenses entered")),
            Tile("expenses_published", _("Expenses published")),
        ],
        lines=["member_points_approved"],
        rank="member_points_approved",
        chart="bar",
    ),
    "community": PanelSpec(
        tiles=[
            Tile("orders", _("Service orders")),
            Tile("completed", _("Completed")),
            Tile("response_rate", _("Response rate"), RATE),
            Tile("completion_rate", _("Completion rate"), RATE),
            Tile("rating", _("Average rating"), NUMBER),
            Tile("volunteer_hours", _("Volunteer hours"), HOURS),
        ],
        lines=["orders", "completed"],
        rank="orders",
        chart="bar",
    ),
}
