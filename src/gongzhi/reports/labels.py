"""What each KPI figure is called in a report, which are rates (shown as per cent) and which figure of each
module the charts show. A figure a provider adds later and nobody has named here is shown under its key."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The headline of each module: its trend chart and the column of the areas table.
HEADLINES = {
    "appeals": "collected",
    "volunteering": "hours",
    "wishes": "posted",
    "ledger": "orders",
    "alliances": "projects",
    "venues": "visitors",
    "deliberation": "topics",
    "partywork": "starred",
    "community": "orders",
}

RATES = frozenset({"composite_score", "satisfaction"})

# Labels that mean the same in every module.
COMMON = {
    "response_rate": gettext_lazy("Response rate"),
    "resolution_rate": gettext_lazy("Resolution rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"),
    "completion_rate": gettext_lazy("Completion rate"),
    "satisfied": gettext_lazy("Satisfied ratings"),
    "rated": gettext_lazy("Ratings given"),
    "ratings": gettext_lazy("Ratings given"),
}

LABELS = {
    "appeals": {
        "collected": gettext_lazy("Appeals collected"),
        "responded": gettext_lazy("Appeals responded to"),
        "resolved": gettext_lazy("Appeals resolved"),
        "rated": gettext_lazy("Appeals rated"),
        "ratings.satisfied": gettext_lazy("Rated satisfied"),
        "ratings.basically_satisfied": gettext_lazy("Rated basically satisfied"),
        "ratings.dissatisfied": gettext_lazy("Rated dissatisfied"),
        "ratings.not_rated": gettext_lazy("Closed without a rating"),
        "composite_score": gettext_lazy("Composite score"),
        "on_time_rate": gettext_lazy("Resolved on time"),
        "avg_hours_to_accept": gettext_lazy("Average hours to accept"),
        "avg_hours_to_resolve": gettext_lazy("Average hours to resolve"),
        "containment.compound": gettext_lazy("Resolved in the compound"),
        "containment.community": gettext_lazy("Resolved in the community"),
        "containment.subdistrict": gettext_lazy("Resolved in the subdistrict"),
    },
    "volunteering": {
        "activities": gettext_lazy("Activities held"),
        "services": gettext_lazy("Services given"),
        "hours": gettext_lazy("Volunteer hours"),
        "volunteers": gettext_lazy("Active volunteers"),
    },
    "wishes": {
        "posted": gettext_lazy("Wishes posted"),
        "published": gettext_lazy("Wishes on the wall"),
        "claimed": gettext_lazy("Wishes claimed"),
        "fulfilled": gettext_lazy("Wishes fulfilled"),
        "fulfilment_rate": gettext_lazy("Fulfilment rate"),
    },
    "ledger": {
        "orders": gettext_lazy("Mall orders"),
        "pieces": gettext_lazy("Items redeemed"),
        "points_spent": gettext_lazy("Points redeemed"),
        "buyers": gettext_lazy("Residents who redeemed"),
        "refunded": gettext_lazy("Orders refunded"),
    },
    "alliances": {
        "projects": gettext_lazy("Projects published"),
        "claimed": gettext_lazy("Projects claimed"),
        "finished": gettext_lazy("Projects finished"),
        "reached": gettext_lazy("Residents reached"),
        "needs": gettext_lazy("Needs listed"),
        "needs_matched": gettext_lazy("Needs matched"),
    },
    "venues": {
        "visitors": gettext_lazy("Visits to venues"),
        "activities": gettext_lazy("Activities in venues"),
        "venues": gettext_lazy("Venues"),
        "floor_area_m2": gettext_lazy("Floor area (m²)"),
        "visits_before": gettext_lazy("Visits before opening up"),
        "activities_before": gettext_lazy("Activities before opening up"),
        "subdistrict_centre": gettext_lazy("Subdistrict centres"),
        "community_centre": gettext_lazy("Community centres"),
        "station": gettext_lazy("Compound stations"),
        "waystation": gettext_lazy("Waystations"),
        "shared": gettext_lazy("Shared venues of alliance units"),
        "bookings_confirmed": gettext_lazy("Bookings confirmed"),
        "residents_served": gettext_lazy("Residents served in venues"),
    },
    "deliberation": {
        "topics": gettext_lazy("Topics raised"),
        "from_appeals": gettext_lazy("Topics taken up from appeals"),
        "decided": gettext_lazy("Topics decided"),
        "done": gettext_lazy("Topics carried out"),
        "average_rating": gettext_lazy("Average rating"),
        "done_rate": gettext_lazy("Decisions carried out"),
        "cases": gettext_lazy("Mediation cases"),
        "cases_at_risk": gettext_lazy("Cases at risk"),
        "agreements": gettext_lazy("Cases settled by agreement"),
        "referrals": gettext_lazy("Cases referred on"),
        "agreement_rate": gettext_lazy("Agreement rate"),
    },
    "partywork": {
        "branches_rated": gettext_lazy("Branches rated"),
        "starred": gettext_lazy("Branches with a star"),
        "five_star": gettext_lazy("Five-star branches"),
        "no_star": gettext_lazy("Branches without a star"),
        "in_progress": gettext_lazy("Ratings under way"),
        "budget_yuan": gettext_lazy("Party funds (yuan)"),
        "spent_yuan": gettext_lazy("Funds spent (yuan)"),
        "expenses": gettext_lazy("Expenses recorded"),
        "expenses_published": gettext_lazy("Expenses made public"),
        "member_points_approved": gettext_lazy("Member points approved"),
        "study_minutes": gettext_lazy("Study minutes"),
        "study_attendees": gettext_lazy("Members who studied"),
    },
    "community": {
        "orders": gettext_lazy("Service orders"),
        "responded": gettext_lazy("Orders answered"),
        "completed": gettext_lazy("Orders completed"),
        "confirmed": gettext_lazy("Orders confirmed"),
        "rating": gettext_lazy("Average rating"),
        "volunteer_hours": gettext_lazy("Volunteer hours on orders"),
        "providers_listed": gettext_lazy("Service providers listed"),
        "plan_tasks": gettext_lazy("Action plan tasks"),
        "plan_tasks_late": gettext_lazy("Action plan tasks late"),
        "plan_progress": gettext_lazy("Action plan progress (%)"),
    },
}


def figure_label(app: str, key: str) -> str:
    label = LABELS.get(app, {}).get(key) or COMMON.get(key)
    return str(label) if label is not None else key


def is_rate(key: str) -> bool:
    return key.endswith("_rate") or key.startswith("containment.") or key in RATES


def headline_of(app: str, keys: list[str]) -> str:
    """The module's headline figure, or its first figure for a module not named here."""
    wanted = HEADLINES.get(app)
    return wanted if wanted in keys else (keys[0] if keys else "")


def shown(value: float | None, *, rate: bool) -> str:
    """A figure as the report prints it: a rate in per cent, a whole count without decimals."""
    if value is None:
        return "—"
    if rate:
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def change(now: float | None, before: float | None, *, rate: bool) -> str:
    """Up or down against an earlier figure: points for rates, per cent for counts."""
    if now is None or before is None:
        return "—"
    if rate:
        return f"{(now - before) * 100:+.1f}" + _("pts")
    if before == 0:
        return "—" if now == 0 else _("new")
    return f"{(now - before) / before * 100:+.0f}%"
