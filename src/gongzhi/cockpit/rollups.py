"""Building the day rollups from the modules' measures (``GongzhiApp.measures``).

Each module counts its additive figures per node and local day (``daily_measures``); here they are added
up to every ancestor of the node and stored, so that a cockpit reads O(nodes × days) rows, never the
events. ``rollups_refresh`` (every minute, by the background worker) counts again the days touched since the
last refresh: the days of rows created or changed since (the moments each module names in ``SOURCES``, the
audit log's targets, or the module's own ``touched_days``). ``rollups_rebuild`` (nightly, after the demo
load, and ``gongzhi cockpit_rollups --rebuild``) builds everything again, which also takes in rows written
without a trace (bulk loads by SQL).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.cockpit.models import Rollup, RollupMark, RollupMonth
from gongzhi.core.models import AuditEvent
from gongzhi.core.registry import measure_sources
from gongzhi.orgs.models import Node

# The refresh looks back this far before its mark, for rows written by transactions still open when the
# previous refresh ran.
MARGIN = timedelta(seconds=120)
# Beyond this many days touched in one module, the refresh builds the whole module again.
MAX_DAYS_PER_REFRESH = 120
BATCH = 5000


def ancestors() -> dict[int, list[int]]:
    """node id → the ids of the node and all its ancestors."""
    by_path: dict[str, int] = {}
    # unscoped: the tree's shape, to add figures up to every ancestor
    rows = list(Node.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in rows}
    step = Node.steplen
    return {
        pk: [by_path[path[:n]] for n in range(step, len(path) + 1, step) if path[:n] in by_path]
        for pk, path in rows
    }


def _materialise(
    rows: Iterable[tuple[int, date, str, float]], up: dict[int, list[int]]
) -> dict[tuple[int, date, str], float]:
    sums: dict[tuple[int, date, str], float] = defaultdict(float)
    for node, day, measure, value in rows:
        for ancestor in up.get(node, ()):
            sums[(ancestor, day, measure)] += value
    return sums


def _months_add(app: str, days: list[date] | None, sign: int) -> None:
    """Add ``sign`` × the day rollups of ``app`` (on ``days``; all when None) to the month rollups, in the
    database: the rows of the days about to be replaced are taken off (-1), the new ones added (+1)."""
    month = (
        "CAST(date_trunc('month', day) AS date)"
        if connection.vendor == "postgresql"
        else "date(day, 'start of month')"
    )
    where = "app = %s"
    params: list[Any] = [app]
    if days is not None:
        where += f" AND day IN ({', '.join(['%s'] * len(days))})"
        params += days
    table = RollupMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (node_id, month, app, measure, value) "  # noqa: S608
            f"SELECT node_id, {month}, app, measure, {int(sign)} * SUM(value) FROM {Rollup._meta.db_table} "
            f"WHERE {where} GROUP BY node_id, {month}, app, measure "
            f"ON CONFLICT (node_id, month, app, measure) DO UPDATE SET value = {table}.value + excluded.value",
            params,
        )


def months_rebuild() -> int:
    """Build every month rollup again from the day rollups; returns the rows written."""
    RollupMonth.objects.all().delete()
    for app in Rollup.objects.values_list("app", flat=True).distinct().order_by():
        _months_add(app, None, 1)
    return RollupMonth.objects.count()


def _write(app: str, days: list[date] | None, rows: Iterable[tuple[int, date, str, float]]) -> int:
    up = ancestors()
    sums = _materialise(rows, up)
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


def _local_date(value: Any, zone: ZoneInfo) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    return value if isinstance(value, date) else None


def touched_days(source: ModuleType, *, since: datetime) -> set[date]:
    """The days whose figures of ``source`` may have changed since ``since``."""
    if hasattr(source, "touched_days"):
        found: set[date] = source.touched_days(since=since)
        return found
    zone = ZoneInfo(settings.TIME_ZONE)
    days: set[date] = set()
    for label, day_path, moments in source.SOURCES:
        model = apps.get_model(label)
        # unscoped: which rows the audit log names since then, to count their days again
        targets = AuditEvent.objects.filter(at__gte=since, target_type=label)
        audited = [int(t) for t in targets.values_list("target_id", flat=True) if t.isdigit()]
        changed = Q(pk__in=audited)
        for moment in moments:
            changed |= Q(**{f"{moment}__gte": since})
        # unscoped: which days to count again, of every row changed
        for value in model._default_manager.filter(changed).values_list(day_path, flat=True).distinct():
            day = _local_date(value, zone)
            if day is not None:
                days.add(day)
    return days


@transaction.atomic
def rollups_rebuild(*, only: Iterable[str] | None = None, days: dict[str, set[date]] | None = None) -> int:
    """Build the rollups of every module (or those in ``only``; of ``days[app]`` only, where given) from
    the modules' measures; returns the rows written. A full build also moves the mark."""
    now = timezone.now()
    written = 0
    for app, source in measure_sources().items():
        if only is not None and app not in only:
            continue
        these = None if days is None else sorted(days.get(app, ()))
        if these is not None and not these:
            continue
        written += _write(app, these, source.daily_measures(days=these))
    if only is None and days is None:
        RollupMark.objects.update_or_create(pk=1, defaults={"refreshed_at": now, "rebuilt_at": now})
    return written


def rollups_refresh(*, now: datetime | None = None) -> int:
    """Count again the days touched since the last refresh; returns the days counted (a first run builds
    everything and returns -1)."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _ = RollupMark.objects.select_for_update().get_or_create(pk=1)
        if mark.refreshed_at is None:
            rollups_rebuild()
            return -1
        since = mark.refreshed_at - MARGIN
        touched = {app: touched_days(source, since=since) for app, source in measure_sources().items()}
        whole = {app for app, days in touched.items() if len(days) > MAX_DAYS_PER_REFRESH}
        if whole:
            rollups_rebuild(only=whole)
        rollups_rebuild(days={app: days for app, days in touched.items() if app not in whole})
        mark.refreshed_at = now
        mark.save(update_fields=["refreshed_at"])
        return sum(len(days) for days in touched.values())


def freshness() -> datetime | None:
    mark = RollupMark.objects.filter(pk=1).first()
    return mark.refreshed_at if mark else None
