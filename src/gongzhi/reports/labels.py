"""Which figure of each module a report's charts show, and how figures are printed. A figure's name and kind
are the module's own declaration (``GongzhiApp.kpi_figures``, read through ``core.registry.kpi_figure``)."""

from django.utils.translation import gettext as _

from gongzhi.core.registry import RATE, kpi_figure

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


def figure_label(app: str, key: str) -> str:
    return str(kpi_figure(app, key).label)


def is_rate(app: str, key: str) -> bool:
    return kpi_figure(app, key).kind == RATE


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
