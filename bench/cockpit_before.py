"""The cockpit's read path and rollup write as they were before the SQL refresh and the cached, grouped
reads (main at 6ea8cb5, `src/gongzhi/cockpit/figures.py` and `rollups.py`), kept here only so that
bench/cockpit.py measures the old and the new path in one run on the same database. Not product code."""

# unscoped-module: a frozen copy of the cockpit's reads, for the benchmark's comparison

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from gongzhi.cockpit.figures import DAILY_UP_TO, Period, _labels, _next_month, modules_for
from gongzhi.cockpit.models import Rollup, RollupMonth
from gongzhi.cockpit.panels import PANELS, PanelSpec, Tile
from gongzhi.cockpit.rollups import BATCH, _months_add, ancestors, freshness
from gongzhi.core.registry import gongzhi_apps, measure_sources
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node


def _rows(
    node_ids: list[int], period: Period, modules: list[str], pairs: Q | None = None, *, by_day: bool = False
) -> list[tuple[int, date, str, str, float]]:
    first, after = period.first, period.after
    whole_first = first if first.day == 1 else _next_month(first)
    whole_after = after.replace(day=1)
    if by_day or whole_first >= whole_after:
        whole_first = whole_after = after
    days = Q(pk__in=[])
    for start, end in ((first, whole_first), (whole_after, after)):
        if start < end:
            days = (
                Q(day__gte=start, day__lt=end)
                if days == Q(pk__in=[])
                else days | Q(day__gte=start, day__lt=end)
            )
    out: list[tuple[int, date, str, str, float]] = []
    if days != Q(pk__in=[]):
        rows = Rollup.objects.filter(days, node_id__in=node_ids, app__in=modules)
        if pairs is not None:
            rows = rows.filter(pairs)
        out.extend(rows.values_list("node_id", "day", "app", "measure", "value"))
    if whole_first < whole_after:
        months = RollupMonth.objects.filter(
            node_id__in=node_ids, month__gte=whole_first, month__lt=whole_after, app__in=modules
        )
        if pairs is not None:
            months = months.filter(pairs)
        out.extend(months.values_list("node_id", "month", "app", "measure", "value"))
    return out


def _add_up(rows: list[tuple[int, date, str, str, float]]) -> dict[int, dict[str, dict[str, float]]]:
    out: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for node, _day, app, measure, value in rows:
        sums = out[node][app]
        sums[measure] = sums.get(measure, 0.0) + value
    return out


def _series(
    rows: list[tuple[int, date, str, str, float]], period: Period, modules: list[str]
) -> tuple[list[str], dict[str, list[dict]]]:
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


def cockpit_figures(*, fetched_by: Any, node: Node, period: Period, live: bool = True) -> dict[str, Any]:
    modules = modules_for(fetched_by, node)
    sources = measure_sources()
    previous = period.previous()
    rows = _rows([node.pk], period, modules, by_day=period.days <= DAILY_UP_TO)
    now = _add_up(rows).get(node.pk, {})
    before = _add_up(_rows([node.pk], previous, modules)).get(node.pk, {})
    labels, buckets = _series(rows, period, modules)
    children = list(Node.objects.filter(subtree_q(None, [node.path]), depth=node.depth + 1).order_by("path"))
    rank_pairs = Q(pk__in=[])
    specs: dict[str, PanelSpec] = {}
    for label in modules:
        spec = PANELS.get(label) or PanelSpec(tiles=[])
        specs[label] = spec
        if spec.rank:
            rank_pairs |= Q(app=label, measure=spec.rank)
    ranked = _add_up(_rows([c.pk for c in children], period, modules, rank_pairs)) if children else {}
    names = {app.label: str(app.kpi_label or app.verbose_name) for app in gongzhi_apps()}
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
            "tiles": [
                {
                    "key": t.key,
                    "label": str(t.label),
                    "fmt": t.fmt,
                    "value": current.get(t.key),
                    "previous": earlier.get(t.key),
                }
                for t in tiles
            ],
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
                            "url": reverse("cockpit:node", args=[c.pk]),
                            "value": ranked.get(c.pk, {}).get(label, {}).get(spec.rank, 0),
                        }
                        for c in children
                    ),
                    key=lambda r: -r["value"],
                ),
            }
        if label == "appeals":
            panel.update(_appeals_extra(fetched_by, node, period, now.get(label, {}), current, live))
        panels.append(panel)
    return {
        "node": {"id": node.pk, "name": node.name, "kind": node.kind},
        "period": {"kind": period.kind, "first": period.first, "last": period.last},
        "previous": {"first": previous.first, "last": previous.last},
        "refreshed_at": freshness(),
        "panels": panels,
        "children": [
            {
                "node": c.pk,
                "name": c.name,
                "lat": c.lat,
                "lng": c.lng,
                "url": reverse("cockpit:node", args=[c.pk]),
            }
            for c in children
        ],
    }


def _appeals_extra(
    user: Any, node: Node, period: Period, sums: dict[str, float], current: dict[str, Any], live: bool
) -> dict[str, Any]:
    from gongzhi.appeals.models import OPEN_STATUSES, Appeal, Category, Tier

    cats = {int(k.split(":", 1)[1]): v for k, v in sums.items() if k.startswith("category:")}
    names = dict(Category.objects.filter(pk__in=cats).values_list("pk", "name"))
    extra: dict[str, Any] = {
        "categories": sorted(
            ({"name": names.get(pk, "—"), "value": int(v)} for pk, v in cats.items()),
            key=lambda r: -int(str(r["value"])),
        )[:10],
        "containment": [
            {"tier": tier, "label": str(Tier(tier).label), "value": current["containment"][tier]}
            for tier in ("compound", "community", "subdistrict")
        ],
    }
    if live:
        rows = (
            Appeal.objects.visible_to(user, "count")
            .filter(subtree_q("node", [node.path]), status__in=OPEN_STATUSES, node__lat__isnull=False)
            .values("node_id", "node__name", "node__lat", "node__lng")
            .annotate(open=Count("pk"), late=Count("pk", filter=Q(resolve_due__lt=timezone.now())))
            .order_by("-open")[:500]
        )
        extra["map"] = [
            {
                "name": r["node__name"],
                "lat": r["node__lat"],
                "lng": r["node__lng"],
                "open": r["open"],
                "late": r["late"],
            }
            for r in rows
        ]
        extra["hot_url"] = (
            reverse("cockpit:hot", args=[node.pk]) + f"?period=custom&from={period.first}&to={period.last}"
        )
    return extra


def write(app: str, days: list[date] | None, rows: Iterable[tuple[int, date, str, float]]) -> int:
    """The rollups' write as it was: add up to every ancestor in Python, delete the days' rows and insert
    them all again, the month rows taken off and put back in SQL."""
    up = ancestors()
    sums: dict[tuple[int, date, str], float] = defaultdict(float)
    for node, day, measure, value in rows:
        for ancestor in up.get(node, ()):
            sums[(ancestor, day, measure)] += value
    old = Rollup.objects.filter(app=app)
    if days is not None:
        old = old.filter(day__in=days)
        _months_add(app, days, -1)
    else:
        RollupMonth.objects.filter(app=app).delete()
    old.delete()
    Rollup.objects.bulk_create(
        (
            Rollup(node_id=node, day=day, app=app, measure=measure, value=value)
            for (node, day, measure), value in sums.items()
            if value
        ),
        batch_size=BATCH,
    )
    _months_add(app, days, 1)
    return len(sums)
