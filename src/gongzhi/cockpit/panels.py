"""What each module's panel shows: which of the module's figures are tiles, which are drawn over time, and
the figure children are ranked by. A figure's name and kind (count, rate, hours …) are the module's own
declaration (``GongzhiApp.kpi_figures``, read through ``core.registry.kpi_figure``). A module without an
entry here gets a panel of its tiles made from every figure it has."""

from dataclasses import dataclass, field

from gongzhi.core.registry import kpi_figure


@dataclass(frozen=True)
class Tile:
    app: str
    key: str

    @property
    def label(self) -> object:
        return kpi_figure(self.app, self.key).label

    @property
    def fmt(self) -> str:
        return kpi_figure(self.app, self.key).kind


@dataclass(frozen=True)
class PanelSpec:
    tiles: list[Tile]
    lines: list[str] = field(default_factory=list)  # tile keys drawn over time
    rank: str = ""  # tile key the children are ranked by
    chart: str = "line"  # "line" or "bar"


def _tiles(app: str, *keys: str) -> list[Tile]:
    return [Tile(app, key) for key in keys]


PANELS: dict[str, PanelSpec] = {
    "appeals": PanelSpec(
        tiles=_tiles(
            "appeals",
            "collected",
            "resolved",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "composite_score",
            "on_time_rate",
            "avg_hours_to_resolve",
        ),
        lines=["response_rate", "resolution_rate", "satisfaction_rate", "composite_score"],
        rank="collected",
    ),
    "volunteering": PanelSpec(
        tiles=_tiles("volunteering", "services", "hours", "activities"),
        lines=["services", "hours"],
        rank="hours",
        chart="bar",
    ),
    "wishes": PanelSpec(
        tiles=_tiles("wishes", "posted", "published", "claimed", "fulfilled", "fulfilment_rate"),
        lines=["posted", "fulfilled"],
        rank="fulfilled",
        chart="bar",
    ),
    "ledger": PanelSpec(
        tiles=_tiles("ledger", "orders", "pieces", "points_spent", "refunded"),
        lines=["points_spent"],
        rank="points_spent",
        chart="bar",
    ),
    "alliances": PanelSpec(
        tiles=_tiles(
            "alliances",
            "projects",
            "claimed",
            "finished",
            "reached",
            "needs",
            "needs_matched",
            "satisfaction",
        ),
        lines=["projects", "finished"],
        rank="projects",
        chart="bar",
    ),
    "venues": PanelSpec(
        tiles=_tiles("venues", "visitors", "activities", "bookings_confirmed", "residents_served"),
        lines=["visitors"],
        rank="visitors",
        chart="bar",
    ),
    "deliberation": PanelSpec(
        tiles=_tiles(
            "deliberation",
            "topics",
            "decided",
            "done",
            "satisfaction_rate",
            "cases",
            "agreements",
            "agreement_rate",
        ),
        lines=["topics", "cases"],
        rank="topics",
        chart="bar",
    ),
    "partywork": PanelSpec(
        tiles=_tiles("partywork", "member_points_approved", "expenses", "expenses_published"),
        lines=["member_points_approved"],
        rank="member_points_approved",
        chart="bar",
    ),
    "community": PanelSpec(
        tiles=_tiles(
            "community",
            "orders",
            "completed",
            "response_rate",
            "completion_rate",
            "rating",
            "volunteer_hours",
        ),
        lines=["orders", "completed"],
        rank="orders",
        chart="bar",
    ),
}
