"""What a cockpit shows: each module's figures for a node and period, read from the day rollups (the
node's own rows: its whole subtree is materialised there), with the previous period beside them, the
figures over time, and the node's children ranked. Who may open which node's cockpit, and which panels
they see, is decided here too (``may_open``, ``modules_for``)."""

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from gongzhi.cockpit.models import Rollup, RollupMonth, RollupPlace
from gongzhi.cockpit.panels import PANELS, PanelSpec, Tile
from gongzhi.cockpit.rollups import rollup_state
from gongzhi.core.registry import gongzhi_apps, measure_sources
from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role, reach_paths, subtree_q
from gongzhi.orgs.models import Node

KINDS = ("recent", "month", "quarter", "year", "custom")
# The default period: the RECENT_DAYS days up to today, compared with the same number of days before
# (docs/cockpit.md: "this month" on the 3rd shows three days; thirty days are always thirty).
DEFAULT_KIND = "recent"
RECENT_DAYS = 30
# Hot issues cluster up to 2,000 appeals (triage/hot.py): done once per user, node and period in this many
# seconds, and fetched by the page after it shows.
HOT_SECONDS = 600
# What a cockpit shows from the rollups (its map of open appeals too) is kept this long under their version
# (any change moves it).
FIGURES_SECONDS = 600
# The map shows the places with the most open appeals, this many at most.
MAP_PLACES = 500
# The longest custom period, and the first and last day one may ask for.
MAX_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# Periods up to this many days are drawn day by day, longer ones month by month.
DAILY_UP_TO = 62


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str
    first: date
    after: date  # the day after the last

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.after - self.first).days

    def previous(self) -> "Period":
        if self.kind == "month":
            return month_of(self.first - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.first - timedelta(days=1))
        if self.kind == "year":
            return Period("year", date(self.first.year - 1, 1, 1), self.first)
        if self.kind == "recent":
            return Period("recent", self.first - timedelta(days=self.days), self.first)
        return Period("custom", self.first - timedelta(days=self.days), self.first)

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        return (
            datetime.combine(self.first, time.min, tzinfo=zone),
            datetime.combine(self.after, time.min, tzinfo=zone),
        )


def month_of(day: date) -> Period:
    return Period(
        "month", day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1]) + timedelta(1)
    )


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last_month = first.month + 2
    return Period(
        "quarter", first, date(day.year, last_month, monthrange(day.year, last_month)[1]) + timedelta(1)
    )


def default_on(kind: str) -> date:
    """The day a period of ``kind`` holds when none is asked for: today (the recent days end today)."""
    return timezone.localdate()


def period_of(kind: str, on: date, first: date | None = None, last: date | None = None) -> Period:
    """The period of ``kind`` holding the day ``on`` (recent: the RECENT_DAYS days up to ``on``; custom:
    ``first`` to ``last`` inclusive)."""
    if kind not in KINDS:
        raise PeriodError("unknown period")
    for day in (on, first, last):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise PeriodError("date out of range")
    if kind == "recent":
        return Period("recent", on - timedelta(days=RECENT_DAYS - 1), on + timedelta(days=1))
    if kind == "month":
        return month_of(on)
    if kind == "quarter":
        return quarter_of(on)
    if kind == "year":
        return Period("year", date(on.year, 1, 1), date(on.year + 1, 1, 1))
    if first is None or last is None:
        raise PeriodError("a custom period needs its first and last day")
    if last < first:
        raise PeriodError("the last day is before the first")
    if (last - first).days >= MAX_DAYS:
        raise PeriodError("the period is too long")
    return Period("custom", first, last + timedelta(days=1))


# --- who sees what -----------------------------------------------------------------------------------------


def home_nodes(user: Any) -> list[Node]:
    """The nodes whose cockpits the user may open at the top: the roots of their oversight reach."""
    if user.is_superuser:
        # unscoped: a superuser's cockpit starts at the trees' roots
        return list(Node.objects.filter(depth=1).order_by("path"))
    paths = reach_paths(user, OVERSIGHT_ROLES)
    # unscoped: the user's own reach
    return list(Node.objects.filter(path__in=paths).order_by("path"))


def cockpit_node_get(user: Any, pk: int) -> Node | None:
    """The node whose cockpit ``user`` asks for, or None when it does not exist or is out of their reach."""
    if not -(2**62) < pk < 2**62:
        return None
    # unscoped: may_open below is the cockpit's own check of the reach
    node = Node.objects.filter(pk=pk).first()
    return node if node is not None and may_open(user, node) else None


def may_open(user: Any, node: Node) -> bool:
    return bool(user.is_authenticated and user.is_active) and (
        user.is_superuser or has_role(user, OVERSIGHT_ROLES, at_path=node.path)
    )


def _count_roles(label: str) -> frozenset[str] | None:
    source = measure_sources()[label]
    model = apps.get_model(source.SOURCES[0][0])
    scope = getattr(model, "scope", None)
    if scope is None:
        return None
    try:
        roles: frozenset[str] = scope.roles_for("count")
    except ValueError:
        roles = scope.roles_for("view")
    return roles


def modules_for(user: Any, node: Node) -> list[str]:
    """The modules whose panels the user sees at ``node``: those whose figures they may count over the
    whole subtree (the rollups know no finer scope, so a partial reach shows no panel rather than a wrong
    one)."""
    shown = []
    for label in measure_sources():
        roles = _count_roles(label)
        if user.is_superuser or (roles is not None and has_role(user, roles, at_path=node.path)):
            shown.append(label)
    return shown


# --- reading the rollups -----------------------------------------------------------------------------------


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _split(
    period: Period, *, by_day: bool = False
) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """The period as the day ranges to read from the day rollups and the whole months (first day of the
    first, first day after the last) to read from the month rollups (none with ``by_day``)."""
    first, after = period.first, period.after
    whole_first = first if first.day == 1 else _next_month(first)
    whole_after = after.replace(day=1)
    if by_day or whole_first >= whole_after:
        return [(first, after)], None
    # Only the ranges that hold days: an empty one OR-ed in keeps the database from one index range.
    days = [(start, end) for start, end in ((first, whole_first), (whole_after, after)) if start < end]
    return days, (whole_first, whole_after)


def _days_q(ranges: list[tuple[date, date]]) -> Q:
    condition = Q(day__gte=ranges[0][0], day__lt=ranges[0][1])
    for start, end in ranges[1:]:
        condition |= Q(day__gte=start, day__lt=end)
    return condition


def _rows(
    node_ids: list[int], period: Period, modules: list[str], *, by_day: bool = False
) -> list[tuple[int, date, str, str, float]]:
    """(node, day, app, measure, value) over the period: the month rollups for the whole months inside it
    (``day`` is then the month's first day), the day rollups for the days around them (or for every day,
    ``by_day``). At most two queries; a year reads 12 rows per measure, not 365."""
    ranges, months = _split(period, by_day=by_day)
    out: list[tuple[int, date, str, str, float]] = []
    if ranges:
        rows = Rollup.objects.filter(_days_q(ranges), node_id__in=node_ids, app__in=modules)
        out.extend(rows.values_list("node_id", "day", "app", "measure", "value"))
    if months is not None:
        found = RollupMonth.objects.filter(
            node_id__in=node_ids, month__gte=months[0], month__lt=months[1], app__in=modules
        )
        out.extend(found.values_list("node_id", "month", "app", "measure", "value"))
    return out


def _add_up(rows: list[tuple[int, date, str, str, float]]) -> dict[int, dict[str, dict[str, float]]]:
    out: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for node, _day, app, measure, value in rows:
        sums = out[node][app]
        sums[measure] = sums.get(measure, 0.0) + value
    return out


def _sums(
    node_ids: list[int], period: Period, modules: list[str], ranked: dict[str, str] | None = None
) -> dict[int, dict]:
    """node → app → measure → the sum over the period (only app → its ``ranked`` measure, where given),
    added up by the database: GROUP BY node, app, measure over the day rows and the month rows, read from
    the covering index alone; one row per figure comes back, not one per day. With ``ranked``, one branch
    per (app, measure) in one UNION ALL, so that each reads exactly its index ranges (an IN list on the
    app and the measure makes PostgreSQL descend the index for every node × app × measure)."""
    ranges, months = _split(period)
    parts: list[Any] = []
    if ranges:
        parts.append(Rollup.objects.filter(_days_q(ranges), node_id__in=node_ids))
    if months is not None:
        parts.append(
            RollupMonth.objects.filter(node_id__in=node_ids, month__gte=months[0], month__lt=months[1])
        )
    branches: list[Any] = []
    for rows in parts:
        if ranked is None:
            branches.append(rows.filter(app__in=modules))
        else:
            branches += [rows.filter(app=app, measure=ranked[app]) for app in modules if app in ranked]
    if not branches:
        return {}
    grouped = [
        b.values("node_id", "app", "measure").annotate(total=Sum("value")).order_by() for b in branches
    ]
    query = grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]
    return _add_up(
        [
            (node, period.first, app, measure, total or 0.0)
            for node, app, measure, total in query.values_list("node_id", "app", "measure", "total")
        ]
    )


# What the chooser of a user with several areas shows on each area's card (the appeals' figures).
HEADLINE = ("collected", "composite_score", "on_time_rate")


def headlines(user: Any, nodes: list[Node]) -> dict[int, list[dict[str, Any]]]:
    """node id → the appeals' headline figures of the last RECENT_DAYS days, for the nodes whose appeals
    panel the user sees: one read of the rollups for all of them."""
    shown = [n for n in nodes if "appeals" in modules_for(user, n)]
    if not shown:
        return {}
    period = period_of(DEFAULT_KIND, default_on(DEFAULT_KIND))
    sums = _sums([n.pk for n in shown], period, ["appeals"])
    make = measure_sources()["appeals"].figures
    tiles = [Tile("appeals", key) for key in HEADLINE]
    found = {}
    for node in shown:
        figures = make(sums.get(node.pk, {}).get("appeals", {}))
        found[node.pk] = [{"label": t.label, "fmt": t.fmt, "value": figures.get(t.key)} for t in tiles]
    return found


def rollup_totals(node: Node, period: Period, modules: list[str]) -> dict[str, dict[str, float]]:
    """app → measure → the sum over ``node``'s subtree in the period."""
    return _sums([node.pk], period, modules).get(node.pk, {})


def _labels(period: Period, monthly: bool) -> list[str]:
    labels: list[str] = []
    day = period.first
    while day < period.after:
        labels.append(day.strftime("%Y-%m") if monthly else day.isoformat())
        day = _next_month(day) if monthly else day + timedelta(days=1)
    return labels


def _series(
    rows: list[tuple[int, date, str, str, float]], period: Period, modules: list[str]
) -> tuple[list[str], dict[str, list[dict]]]:
    """The figures over time from the node's rows of the period (day by day up to DAILY_UP_TO days)."""
    monthly = period.days > DAILY_UP_TO
    labels = _labels(period, monthly)
    index = {label: i for i, label in enumerate(labels)}
    buckets: dict[str, list[dict[str, float]]] = {m: [{} for _ in labels] for m in modules}
    for _node, day, app, measure, value in rows:
        key = day.strftime("%Y-%m") if monthly else day.isoformat()
        if key in index and app in buckets:
            bucket = buckets[app][index[key]]
            bucket[measure] = bucket.get(measure, 0.0) + value
    return labels, buckets


def _tile(tile: Tile, now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": tile.key,
        "label": str(tile.label),
        "fmt": tile.fmt,
        "value": now.get(tile.key),
        "previous": before.get(tile.key),
    }


def _children(node: Node) -> list[Node]:
    # A range on the path (not LIKE, which SQLite cannot answer from the path index).
    # unscoped: the children of a node the user may open lie in the same reach
    return list(Node.objects.filter(subtree_q(None, [node.path]), depth=node.depth + 1).order_by("path"))


def _node_urls(nodes: list[Node]) -> dict[int, str]:
    """Each node's cockpit address, from one ``reverse`` (a city's ranking names 180 areas in 9 panels)."""
    marker = 987654321
    head, tail = reverse("cockpit:node", args=[marker]).split(str(marker))
    return {n.pk: f"{head}{n.pk}{tail}" for n in nodes}


def cockpit_figures(*, fetched_by: Any, node: Node, period: Period, live: bool = True) -> dict[str, Any]:
    """The cockpit of ``node`` for ``period`` as the user may see it (None when they may not open it is the
    caller's check: ``may_open``). ``live`` adds the appeals' map and the address of their hot issues.

    What comes from the rollups depends only on the node, the period, the panels the user may see and the
    language: it is assembled once and kept under the rollups' version (``FIGURES_SECONDS``), so the
    viewers of one cockpit (a big screen refreshing every minute, a committee opening the same month) cost
    one read of the rollups until they change. The map, the same for every period, is kept per node."""
    modules = modules_for(fetched_by, node)
    refreshed, version, places = rollup_state()
    key = (
        f"cockpit:figures:{version}:{node.pk}:{period.kind}:{period.first}:{period.after}:"
        f"{get_language()}:{','.join(modules)}"
    )
    figures: dict[str, Any] | None = cache.get(key)
    if figures is None:
        figures = assemble(node, period, modules)
        cache.set(key, figures, FIGURES_SECONDS)
    figures["refreshed_at"] = refreshed
    if live:
        for panel in figures["panels"]:
            if panel["app"] == "appeals":
                panel["map"] = open_appeals_map(node, places)
                # Hot issues take a clustering of up to 2,000 appeals: the page fetches them after it shows.
                panel["hot_url"] = (
                    reverse("cockpit:hot", args=[node.pk])
                    + f"?period=custom&from={period.first}&to={period.last}"
                )
    return figures


def assemble(node: Node, period: Period, modules: list[str]) -> dict[str, Any]:
    """The cockpit's figures from the rollups (no user in it but the panels ``modules`` they may see): the
    node's rows of the period (tiles and series), the previous period's sums and the children's ranked
    figures, each added up by the database: three reads of the rollups (five when a period has both day
    and month rows)."""
    sources = measure_sources()
    previous = period.previous()
    rows = _rows([node.pk], period, modules, by_day=period.days <= DAILY_UP_TO)
    now = _add_up(rows).get(node.pk, {})
    before = rollup_totals(node, previous, modules)
    labels, buckets = _series(rows, period, modules)
    children = _children(node)
    specs = {label: PANELS.get(label) or PanelSpec(tiles=[]) for label in modules}
    rank_by = {label: spec.rank for label, spec in specs.items() if spec.rank}
    ranked = _sums([c.pk for c in children], period, modules, rank_by) if children else {}
    names = {app.label: str(app.kpi_label or app.verbose_name) for app in gongzhi_apps()}
    urls = _node_urls(children)
    panels = []
    for label in modules:
        spec = specs[label]
        figures = sources[label].figures
        current = figures(now.get(label, {}))
        earlier = figures(before.get(label, {}))
        tiles = spec.tiles or [Tile(label, k) for k in current]
        panel: dict[str, Any] = {
            "app": label,
            "label": names.get(label, label),
            "chart": spec.chart,
            "tiles": [_tile(t, current, earlier) for t in tiles],
            "series": {
                "labels": labels,
                "lines": [
                    {
                        "key": key,
                        "label": next((str(t.label) for t in tiles if t.key == key), key),
                        "values": [figures(b).get(key) for b in buckets.get(label, [])],
                    }
                    for key in spec.lines
                ],
            },
        }
        if spec.rank:
            rank_label = next((str(t.label) for t in tiles if t.key == spec.rank), spec.rank)
            panel["ranking"] = {
                "label": rank_label,
                "shown": any(ranked.get(c.pk, {}).get(label, {}).get(spec.rank) for c in children),
                "rows": sorted(
                    (
                        {
                            "node": c.pk,
                            "name": c.name,
                            "url": urls[c.pk],
                            "value": ranked.get(c.pk, {}).get(label, {}).get(spec.rank, 0),
                        }
                        for c in children
                    ),
                    # Rounded: sums of the same figures added in another order tie, in the tree's order.
                    key=lambda r: -round(r["value"], 6),
                ),
            }
        if label == "appeals":
            panel.update(_appeals_extra(now.get(label, {}), current))
        panels.append(panel)
    return {
        "node": {"id": node.pk, "name": node.name, "kind": node.kind},
        "period": {"kind": period.kind, "first": period.first, "last": period.last},
        "previous": {"first": previous.first, "last": previous.last},
        "refreshed_at": None,
        "panels": panels,
        "children": [
            {
                "node": c.pk,
                "name": c.name,
                "lat": c.lat,
                "lng": c.lng,
                "url": urls[c.pk],
            }
            for c in children
        ],
    }


def _appeals_extra(sums: dict[str, float], current: dict[str, Any]) -> dict[str, Any]:
    from gongzhi.appeals.models import Category, Tier

    cats = {int(k.split(":", 1)[1]): v for k, v in sums.items() if k.startswith("category:")}
    names = dict(Category.objects.filter(pk__in=cats).values_list("pk", "name")) if cats else {}
    return {
        "categories": sorted(
            ({"name": names.get(pk, "—"), "value": int(v)} for pk, v in cats.items()),
            key=lambda r: -int(str(r["value"])),
        )[:10],
        "containment": [
            {"tier": tier, "label": str(Tier(tier).label), "value": current["containment"][tier]}
            for tier in ("compound", "community", "subdistrict")
        ],
    }


def open_appeals_map(node: Node, version: int = 0) -> list[dict[str, Any]]:
    """Open and late appeals of ``node``'s subtree, counted per place (no appeal is shown on its own), as the
    last refresh of the rollups found them (``RollupPlace``), kept per node under the place rollups'
    ``version``.
    It is shown only with the appeals' panel, to users who may count every appeal of the subtree, so it is
    the same for all of them."""
    key = f"cockpit:map:{version}:{node.pk}"
    found: list[dict[str, Any]] | None = cache.get(key)
    if found is None:
        found = _open_appeals_map(node)
        cache.set(key, found, FIGURES_SECONDS)
    return found


def _open_appeals_map(node: Node) -> list[dict[str, Any]]:
    """The places of the subtree (a range on the path) with open appeals, from their place rollups, most
    open first: a city's 18,000 compounds are read from two rows each, not from its half a million open
    appeals (267 ms on PostgreSQL at that size when counted from the appeals)."""
    counts = (
        RollupPlace.objects.filter(
            subtree_q("node", [node.path]),
            app="appeals",
            measure__in=("open", "late"),
            node__lat__isnull=False,
            node__lng__isnull=False,
        )
        .values("node_id", "node__name", "node__lat", "node__lng")
        .annotate(open=Sum("value", filter=Q(measure="open")), late=Sum("value", filter=Q(measure="late")))
        .filter(open__gt=0)
        .order_by("-open", "node_id")[:MAP_PLACES]
    )
    return [
        {
            "name": r["node__name"],
            "lat": r["node__lat"],
            "lng": r["node__lng"],
            "open": int(r["open"]),
            "late": int(r["late"] or 0),
        }
        for r in counts
    ]


def hot_issues(user: Any, node: Node, period: Period) -> list[dict[str, Any]]:
    """The five hottest issues of the node's appeals in the period, as the user may read them (kept
    HOT_SECONDS per user, node and period: the clustering is the dearest part of a cockpit)."""
    key = f"cockpit:hot:{user.pk}:{node.pk}:{period.first}:{period.after}"
    found: list[dict[str, Any]] | None = cache.get(key)
    if found is None:
        found = _hot_issues(user, node, period)
        cache.set(key, found, HOT_SECONDS)
    return found


def _hot_issues(user: Any, node: Node, period: Period) -> list[dict[str, Any]]:
    from gongzhi.appeals.selectors import hot_issues_for
    from gongzhi.core.roles import CASEWORK_ROLES

    start, end = period.bounds()
    # A resident's own words may name people: only the staff who handle the appeals read them here; an
    # overseer without casework (the district viewer) sees the issue by its category.
    words = has_role(user, CASEWORK_ROLES, at_path=node.path)
    return [
        {"title": h.title if words else h.category, "place": h.place, "size": h.size, "category": h.category}
        for h in hot_issues_for(fetched_by=user, node=node, start=start, end=end, limit=5)
    ]
