"""The cockpit's figures for programs: the areas one may open, and a node's figures for a period (the same
as the page shows, read from the day rollups)."""

from datetime import date, datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from pydantic import BaseModel, Field

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.cockpit.errors import CockpitError
from gongzhi.cockpit.figures import (
    Period,
    PeriodError,
    cockpit_figures,
    cockpit_node_get,
    default_on,
    home_nodes,
    hot_issues,
    modules_for,
    period_of,
)
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.rules import is_overseer
from gongzhi.core.schemas import Day, ErrorOut

router = Router(tags=["cockpit"])

# The figures are plain dicts (figures.py): pydantic models read them directly, where ninja's Schema would
# look up every key of a city's 180 × 9 ranked rows through its attribute getter (~4× slower).


class CockpitNodeOut(BaseModel):
    id: int
    name: str
    kind: str


class CockpitPeriodOut(BaseModel):
    kind: str | None = None
    first: date
    last: date


class CockpitTileOut(BaseModel):
    key: str
    label: str
    fmt: str = Field(description="count, rate (0–1), hours, number, money (yuan) or percent (0–100)")
    value: float | None
    previous: float | None = Field(description="the same figure in the previous period")


class CockpitLineOut(BaseModel):
    key: str
    label: str
    values: list[float | None]


class CockpitSeriesOut(BaseModel):
    labels: list[str] = Field(description="days (YYYY-MM-DD) or, for periods over 62 days, months (YYYY-MM)")
    lines: list[CockpitLineOut]


class CockpitRankRowOut(BaseModel):
    node: int
    name: str
    url: str
    value: float


class CockpitRankingOut(BaseModel):
    label: str
    shown: bool = Field(description="whether any area below has the figure")
    rows: list[CockpitRankRowOut]


class CockpitCategoryOut(BaseModel):
    name: str
    value: int


class CockpitContainmentOut(BaseModel):
    tier: str
    label: str
    value: float | None


class CockpitMapPointOut(BaseModel):
    name: str = Field(description="the place; appeals are only counted per place")
    lat: float
    lng: float
    open: int
    late: int


class CockpitHotOut(BaseModel):
    title: str
    place: str
    size: int
    category: str


class CockpitPanelOut(BaseModel):
    app: str
    label: str
    chart: str
    tiles: list[CockpitTileOut]
    series: CockpitSeriesOut
    ranking: CockpitRankingOut | None = None
    categories: list[CockpitCategoryOut] | None = None
    containment: list[CockpitContainmentOut] | None = None
    map: list[CockpitMapPointOut] | None = None


class CockpitChildOut(BaseModel):
    node: int
    name: str
    lat: float | None
    lng: float | None
    url: str


class CockpitOut(BaseModel):
    node: CockpitNodeOut
    period: CockpitPeriodOut
    previous: CockpitPeriodOut
    refreshed_at: datetime | None = Field(description="when the rollups last took in changes")
    panels: list[CockpitPanelOut] = Field(description="one per module the user may see here")
    children: list[CockpitChildOut]


@router.get("/cockpit/nodes", response={200: list[CockpitNodeOut], 403: ErrorOut})
@paginate(LimitOffset)
def cockpit_nodes(request: AuthenticatedHttpRequest):
    """The areas whose cockpits you may open at the top (the roots of your oversight reach)."""
    if not is_overseer.test(request.user):
        raise CockpitError.forbidden()
    return [{"id": n.pk, "name": n.name, "kind": n.kind} for n in home_nodes(request.user)]


PeriodKind = Literal["recent", "month", "quarter", "year", "custom"]


def _period(kind: str, on: date | None, first: date | None, last: date | None) -> Period:
    try:
        return period_of(kind, on or default_on(kind), first, last)
    except PeriodError as e:
        raise CockpitError.invalid(_("That period cannot be shown."), field="period", code="period") from e


@router.get("/cockpit/nodes/{node_id}", response={200: CockpitOut, 404: ErrorOut, 422: ErrorOut})
def cockpit_node(
    request: AuthenticatedHttpRequest,
    node_id: int,
    period: PeriodKind = "recent",
    on: Day | None = None,
    first: Day | None = Query(None, alias="from"),
    last: Day | None = Query(None, alias="to"),
):
    """A node's figures for a period (by default ``recent``: the 30 days up to ``on``; month, quarter or year holding ``on``, default today; or custom ``from``–``to`` inclusive, up to three
    years), each with the previous period's, read from the rollups; only the modules you may count over the
    whole node, as aggregates. The hot issues are a call of their own (``…/hot``)."""
    node = cockpit_node_get(request.user, node_id)
    if node is None:
        raise CockpitError.not_found()
    return cockpit_figures(fetched_by=request.user, node=node, period=_period(period, on, first, last))


@router.get("/cockpit/nodes/{node_id}/hot", response={200: list[CockpitHotOut], 404: ErrorOut, 422: ErrorOut})
def cockpit_node_hot(
    request: AuthenticatedHttpRequest,
    node_id: int,
    period: PeriodKind = "recent",
    on: Day | None = None,
    first: Day | None = Query(None, alias="from"),
    last: Day | None = Query(None, alias="to"),
):
    """The node's five hottest issues among the appeals filed in the period (same period parameters); the
    residents' words only for staff who handle appeals there, others see each issue by its category. An
    empty list when you may not see the appeals' panel here."""
    node = cockpit_node_get(request.user, node_id)
    if node is None:
        raise CockpitError.not_found()
    chosen = _period(period, on, first, last)
    if "appeals" not in modules_for(request.user, node):
        return []
    return hot_issues(request.user, node, chosen)
