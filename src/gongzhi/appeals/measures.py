"""The appeals' day measures for the cockpit's rollups (``GongzhiApp.measures``, docs/cockpit.md): the
sums of the KPI tallies (appeals/tallies.py) per node and day of filing, and the appeals filed per top-level
category. The rates are made from the sums when read (``figures``), as the KPI page makes them. Per place as
they stand now (``place_measures``, for the cockpit's map): the open appeals and the late ones."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q

from gongzhi.appeals.kpis import _finish
from gongzhi.appeals.models import OPEN_STATUS_ORDER, Appeal, AppealEvent
from gongzhi.appeals.tallies import FIELDS, _day_ranges, _tallies_of, filed_between, local_zone

SOURCES = [("appeals.appeal", "created_at", ("created_at",))]
CATEGORY = "category:"


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    which = Q() if days is None else filed_between(_day_ranges(days))
    sums: dict[tuple[int, date, str], float] = defaultdict(float)
    for tally in _tallies_of(which):
        key = (tally.node_id, tally.day)
        for name in FIELDS:
            sums[(*key, name)] += getattr(tally, name) or 0
        if tally.category_top is not None:
            sums[(*key, f"{CATEGORY}{tally.category_top}")] += tally.collected
    for (node, day, name), value in sums.items():
        if value:
            yield node, day, name, value


def touched_days(*, since: datetime) -> set[date]:
    """The filing days of the appeals with an event (filing, transition, rating, merge …) since ``since``."""
    events = AppealEvent.objects.filter(at__gte=since).values("appeal_id")
    # unscoped: the days to count again, of every appeal with a new event
    filed = Appeal.objects.filter(pk__in=events).order_by().values_list("created_at", flat=True)
    zone = local_zone()
    return {moment.astimezone(zone).date() for moment in filed}


def place_measures(*, now: datetime) -> Iterator[tuple[int, str, float]]:
    """Per place where appeals were filed: how many are open ("open") and how many of those are past their
    resolve-by time at ``now`` ("late"). Counted from the open appeals' own index (``appeal_open_by_place``:
    a tenth of the table, each entry's place and due time in it)."""
    counts = (
        # unscoped: the cockpit's map counts every open appeal; it shows them to those who may count them all
        Appeal.objects.filter(status__in=OPEN_STATUS_ORDER)
        .values("node_id")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(resolve_due__lt=now)))
        .order_by()
    )
    for row in counts:
        yield row["node_id"], "open", row["open"]
        if row["late"]:
            yield row["node_id"], "late", row["late"]


def figures(sums: dict[str, float]) -> dict[str, Any]:
    row = {name: sums.get(name, 0) for name in FIELDS}
    for name in FIELDS[:-2]:
        row[name] = int(row[name])
    return _finish(row)
