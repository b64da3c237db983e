"""The cockpit pages: a node's cockpit for a period (tiles rendered here, charts and map drawn by
static/gongzhi/cockpit.js from the figures passed with ``json_script``), the big-screen mode, and the
figures as JSON for the big screen's refresh."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.cockpit.figures import (
    DEFAULT_KIND,
    KINDS,
    Period,
    PeriodError,
    cockpit_figures,
    cockpit_node_get,
    default_on,
    headlines,
    home_nodes,
    hot_issues,
    may_open,
    modules_for,
    period_of,
)
from gongzhi.core.rules import is_overseer
from gongzhi.core.web import role_required
from gongzhi.orgs.models import Node

# The page draws the first 15 areas of a ranking (10 on the big screen) and links the first 12: the page's
# figures carry these, not the 180 subdistricts of a city (the API gives them all).
RANK_SHOWN = 15


def _shown(figures: dict[str, Any]) -> dict[str, Any]:
    for panel in figures["panels"]:
        if "ranking" in panel:
            panel["ranking"]["rows"] = panel["ranking"]["rows"][:RANK_SHOWN]
    return figures


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError("not a date") from None


def period_from(params: Any) -> Period:
    """The period the page's selector asks for (the recent days when nothing is asked)."""
    kind = params.get("period") or DEFAULT_KIND
    on = _date(params.get("on")) or default_on(kind)
    return period_of(kind, on, _date(params.get("from")), _date(params.get("to")))


def _node(request: HttpRequest, pk: int) -> Node:
    node = cockpit_node_get(request.user, pk)
    if node is None:
        raise Http404
    return node


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind in ("hours", "number", "money", "percent"):
        return f"{value:,.1f}"
    return f"{int(value):,}"


def delta(value: Any, previous: Any, kind: str) -> str:
    if value is None or previous is None:
        return ""
    change = value - previous
    if kind == "rate":
        return f"{change * 100:+.1f}"
    if kind in ("hours", "number", "money", "percent"):
        return f"{change:+,.1f}"
    return f"{int(change):+,}"


@role_required(is_overseer)
def cockpit_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    nodes = home_nodes(request.user)
    if len(nodes) == 1:
        return redirect("cockpit:node", nodes[0].pk)
    figures = headlines(request.user, nodes)
    cards = [
        {"node": n, "figures": [{**f, "text": fmt(f["value"], f["fmt"])} for f in figures.get(n.pk, [])]}
        for n in nodes
    ]
    return render(request, "cockpit/index.html", {"cards": cards})


def _trail(user: Any, node: Node) -> list[Node]:
    """The node's ancestors whose cockpits the user may open, top first, and the node."""
    return [n for n in [*node.get_ancestors(), node] if may_open(user, n)]


@role_required(is_overseer)
def cockpit_node(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    big = request.GET.get("screen") == "big"
    try:
        period = period_from(request.GET)
        error = ""
    except PeriodError:
        period, error = (
            period_of(DEFAULT_KIND, default_on(DEFAULT_KIND)),
            _("That period cannot be shown: the last 30 days instead."),
        )
    figures = _shown(cockpit_figures(fetched_by=request.user, node=node, period=period))
    for panel in figures["panels"]:
        for tile in panel["tiles"]:
            tile["text"] = fmt(tile["value"], tile["fmt"])
            tile["before"] = fmt(tile["previous"], tile["fmt"])
            tile["delta"] = delta(tile["value"], tile["previous"], tile["fmt"])
    context = {
        "node": node,
        "trail": _trail(request.user, node),
        "figures": figures,
        "period": period,
        "kinds": KINDS,
        "error": error,
        "big": big,
        "query": request.GET.urlencode(),
        "tiles": settings.GONGZHI_MAP_TILES,
    }
    return render(request, "cockpit/big.html" if big else "cockpit/node.html", context)


@role_required(is_overseer)
def cockpit_data(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The figures as JSON, for the big screen's refresh."""
    node = _node(request, pk)
    try:
        period = period_from(request.GET)
    except PeriodError:
        return JsonResponse({"detail": _("That period cannot be shown.")}, status=400)
    figures = _shown(cockpit_figures(fetched_by=request.user, node=node, period=period))
    return JsonResponse(figures, encoder=DjangoJSONEncoder)


@role_required(is_overseer)
def cockpit_hot(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The node's hot issues for the period as JSON: the page fetches them after it shows (they take a
    clustering of the period's appeals)."""
    node = _node(request, pk)
    try:
        period = period_from(request.GET)
    except PeriodError:
        return JsonResponse({"detail": _("That period cannot be shown.")}, status=400)
    hot = hot_issues(request.user, node, period) if "appeals" in modules_for(request.user, node) else []
    for h in hot:
        h["size_text"] = ngettext("%(n)s appeal", "%(n)s appeals", h["size"]) % {"n": h["size"]}
    return JsonResponse({"hot": hot})
