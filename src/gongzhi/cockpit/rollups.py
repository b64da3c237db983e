"""Building the day rollups from the modules' measures (``GongzhiApp.measures``).

Each module counts its additive figures per node and local day (``daily_measures``); here they are added
up to every ancestor of the node and stored, so that a cockpit reads O(nodes × days) rows, never the
events. ``rollups_refresh`` (every minute, by the background worker) counts again the days touched since the
last refresh: the days of rows created or changed since (the moments each module names in ``SOURCES``, the
audit log's targets, or the module's own ``touched_days``). ``rollups_rebuild`` (nightly, after the demo
load, and ``gongzhi cockpit_rollups --rebuild``) builds everything again, which also takes in rows written
without a trace (bulk loads by SQL).

Besides the days, a module may count figures of each place as they stand now (``place_measures``: the
appeals' open and late ones, for the cockpit's map); both the refresh and the full build count those again
whole and write the rows that changed (``places_write``).
"""

import math
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import islice
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.cockpit.models import Rollup, RollupMark, RollupMonth, RollupPlace
from gongzhi.core.models import AuditEvent
from gongzhi.core.registry import measure_sources
from gongzhi.orgs.models import Node

# The refresh looks back this far before its mark, for rows written by transactions still open when the
# previous refresh ran.
MARGIN = timedelta(seconds=120)
# Beyond this many days touched in one module, the refresh builds the whole module again.
MAX_DAYS_PER_REFRESH = 120
BATCH = 20000


def ancestors() -> dict[int, list[int]]:
    """node id → the ids of the node and all its ancestors (the refresh adds up in SQL; kept for readers)."""
    # unscoped: the tree's shape, to add figures up to every ancestor
    rows = list(Node.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in rows}
    step = Node.steplen
    return {
        pk: [by_path[path[:n]] for n in range(step, len(path) + 1, step) if path[:n] in by_path]
        for pk, path in rows
    }


def _month_sql() -> str:
    """The first day of ``day``'s month, in the database's dialect."""
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', day) AS date)"
    return "date(day, 'start of month')"


def _months_add(app: str, days: list[date] | None, sign: int) -> None:
    """Add ``sign`` × the day rollups of ``app`` (on ``days``; all when None) to the month rollups, in the
    database (a full build makes the months from the days this way)."""
    month = _month_sql()
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


# The write, in SQL on both databases (docs/cockpit.md, "Refresh"): the module's figures per node and day
# ("leaf" rows, as its ``daily_measures`` yields them) go to a temporary table; one INSERT … SELECT … GROUP
# BY adds them up to every ancestor (a join on the path's prefixes, through the path's unique index) and
# sets them beside the rows held for those days; only the rows whose value changed are written (upsert, or
# delete when the figure fell to nothing), and each month rollup moves by the change of its days.
LEAF = "cockpit_tmp_leaf"
DELTA = "cockpit_tmp_delta"
# A change smaller than this share of the figure is float noise of adding up in another order: not written.
NOISE = 1e-9
# Month rows whose value fell below this after the changes are empty (every measure counts in units of at
# least 0.01: appeals, hours, points, seconds), and deleted.
EMPTY = 1e-3


def _temp(cursor: Any, name: str, columns: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")


def _stage(cursor: Any, rows: Iterable[tuple[int, date, str, float]]) -> int:
    """The module's rows into the leaf table, BATCH at a time (COPY on PostgreSQL); returns how many. The
    rows are taken from the module before each COPY: its queries run as they are iterated, and a
    connection in the middle of a COPY can run none."""
    _temp(cursor, LEAF, "node_id bigint, day date, measure varchar(64), value double precision")
    count = 0
    source = iter(rows)
    while batch := list(islice(source, BATCH)):
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {LEAF} (node_id, day, measure, value) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {LEAF} VALUES (%s, %s, %s, %s)", batch)  # noqa: S608
        count += len(batch)
    return count


def _materialised() -> str:
    """The leaf rows added up to every ancestor of their node (and the node itself), per day and measure."""
    nodes = Node._meta.db_table
    # unscoped: the tree's depth, for the join on every prefix of a path
    depth = Node.objects.order_by("-depth").values_list("depth", flat=True).first() or 1
    levels = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, depth + 1))
    return (
        f"SELECT a.id AS node_id, l.day AS day, l.measure AS measure, SUM(l.value) AS value "  # noqa: S608
        f"FROM {LEAF} l JOIN {nodes} n ON n.id = l.node_id "
        f"JOIN ({levels}) d ON d.k <= n.depth "
        f"JOIN {nodes} a ON a.path = substr(n.path, 1, d.k * {int(Node.steplen)}) "
        "GROUP BY a.id, l.day, l.measure HAVING SUM(l.value) <> 0"
    )


def _write(app: str, days: list[date] | None, rows: Iterable[tuple[int, date, str, float]]) -> int:
    """Store the rollups of ``app`` (for ``days``; every day when None) from its leaf ``rows``; returns the
    rows written (a full build: every row; days: the rows that changed)."""
    table, months = Rollup._meta.db_table, RollupMonth._meta.db_table
    with connection.cursor() as cursor:
        _stage(cursor, rows)
        if days is None:
            cursor.execute(f"DELETE FROM {months} WHERE app = %s", [app])  # noqa: S608
            cursor.execute(f"DELETE FROM {table} WHERE app = %s", [app])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {table} (node_id, day, app, measure, value) "  # noqa: S608
                f"SELECT node_id, day, %s, measure, value FROM ({_materialised()}) m",
                [app],
            )
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE {LEAF}")
            _months_add(app, None, 1)
            return int(written)
        on_days = ", ".join(["%s"] * len(days))
        _temp(
            cursor,
            DELTA,
            "node_id bigint, day date, measure varchar(64), now_v double precision, was_v double precision",
        )
        # The figures now beside the figures held, for every (node, day, measure) either has.
        cursor.execute(
            f"INSERT INTO {DELTA} (node_id, day, measure, now_v, was_v) "  # noqa: S608
            "SELECT node_id, day, measure, SUM(now_v), SUM(was_v) FROM ("
            f"SELECT node_id, day, measure, value AS now_v, 0.0 AS was_v FROM ({_materialised()}) m "
            f"UNION ALL SELECT node_id, day, measure, 0.0, value FROM {table} "
            f"WHERE app = %s AND day IN ({on_days})"
            ") x GROUP BY node_id, day, measure "
            f"HAVING abs(SUM(now_v) - SUM(was_v)) > {NOISE} * (abs(SUM(now_v)) + abs(SUM(was_v)))",
            [app, *days],
        )
        changed = cursor.rowcount
        if changed:
            cursor.execute(
                f"DELETE FROM {table} WHERE app = %s AND day IN ({on_days}) AND EXISTS ("  # noqa: S608
                f"SELECT 1 FROM {DELTA} d WHERE d.now_v = 0 AND d.node_id = {table}.node_id "
                f"AND d.day = {table}.day AND d.measure = {table}.measure)",
                [app, *days],
            )
            cursor.execute(
                f"INSERT INTO {table} (node_id, day, app, measure, value) "  # noqa: S608
                f"SELECT node_id, day, %s, measure, now_v FROM {DELTA} WHERE now_v <> 0 "
                "ON CONFLICT (node_id, day, app, measure) DO UPDATE SET value = excluded.value",
                [app],
            )
            month = _month_sql()
            cursor.execute(
                f"INSERT INTO {months} (node_id, month, app, measure, value) "  # noqa: S608
                f"SELECT node_id, {month}, %s, measure, SUM(now_v - was_v) FROM {DELTA} WHERE 1 = 1 "
                f"GROUP BY node_id, {month}, measure "
                f"ON CONFLICT (node_id, month, app, measure) DO UPDATE SET value = {months}.value + excluded.value",
                [app],
            )
            firsts = sorted({day.replace(day=1) for day in days})
            cursor.execute(
                f"DELETE FROM {months} WHERE app = %s AND month IN ({', '.join(['%s'] * len(firsts))}) "  # noqa: S608
                f"AND abs(value) < {EMPTY}",
                [app, *firsts],
            )
        cursor.execute(f"DROP TABLE {LEAF}")
        cursor.execute(f"DROP TABLE {DELTA}")
        return int(changed)


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


def places_write(*, now: datetime) -> int:
    """Count every module's figures per place again (``place_measures`` at ``now``) and write the rows that
    changed: new ones, changed values, and rows of places whose figure fell to nothing deleted; when any
    changed, the place rollups' version moves (``RollupMark.places_version``: the maps kept under the old one
    are stale). Returns the rows written. Called with the mark's row locked. A city's whole count is one grouped read of its open appeals' index (about half a million
    entries), done by the every-minute refresh; the map then reads its places' rows only."""
    written = 0
    for app, source in measure_sources().items():
        counter = getattr(source, "place_measures", None)
        if counter is None:
            continue
        fresh = {(node, measure): float(value) for node, measure, value in counter(now=now) if value}
        held = {
            (node, measure): (pk, value)
            for pk, node, measure, value in RollupPlace.objects.filter(app=app).values_list(
                "pk", "node_id", "measure", "value"
            )
        }
        gone = [pk for key, (pk, _) in held.items() if key not in fresh]
        # New rows and changed values in one upsert (INSERT … ON CONFLICT DO UPDATE on both databases).
        changed = [
            RollupPlace(node_id=node, app=app, measure=measure, value=value)
            for (node, measure), value in fresh.items()
            if (node, measure) not in held or not math.isclose(held[(node, measure)][1], value, rel_tol=NOISE)
        ]
        for start in range(0, len(gone), 900):  # SQLite's limit of variables in one statement
            RollupPlace.objects.filter(pk__in=gone[start : start + 900]).delete()
        RollupPlace.objects.bulk_create(
            changed,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["node", "app", "measure"],
            update_fields=["value"],
        )
        written += len(gone) + len(changed)
    if written:
        RollupMark.objects.filter(pk=1).update(places_version=secrets.randbits(62))
    return written


@transaction.atomic
def rollups_rebuild(
    *,
    only: Iterable[str] | None = None,
    days: dict[str, set[date]] | None = None,
    now: datetime | None = None,
) -> int:
    """Build the rollups of every module (or those in ``only``; of ``days[app]`` only, where given) from
    the modules' measures; returns the rows written. A full build also counts the place rollups again (at
    ``now``) and moves the mark."""
    now = now or timezone.now()
    # The mark's lock first, as the refresh takes it: the nightly build and a minute's refresh then wait for
    # each other instead of each holding rows the other needs (a deadlock on PostgreSQL).
    RollupMark.objects.select_for_update().get_or_create(pk=1)
    written = 0
    for app, source in measure_sources().items():
        if only is not None and app not in only:
            continue
        these = None if days is None else sorted(days.get(app, ()))
        if these is not None and not these:
            continue
        written += _write(app, these, source.daily_measures(days=these))
    if only is None and days is None:
        places_write(now=now)
        RollupMark.objects.update_or_create(pk=1, defaults={"refreshed_at": now, "rebuilt_at": now})
    if written:
        # The cockpits assembled from the rows before are stale now (figures.py keeps them under this
        # version): a new random one, never a count that a database loaded afresh would start again.
        RollupMark.objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})
    return written


def rollups_refresh(*, now: datetime | None = None) -> int:
    """Count again the days touched since the last refresh; returns the days counted (a first run builds
    everything and returns -1)."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _ = RollupMark.objects.select_for_update().get_or_create(pk=1)
        if mark.refreshed_at is None:
            rollups_rebuild(now=now)
            return -1
        since = mark.refreshed_at - MARGIN
        touched = {app: touched_days(source, since=since) for app, source in measure_sources().items()}
        whole = {app for app, days in touched.items() if len(days) > MAX_DAYS_PER_REFRESH}
        if whole:
            rollups_rebuild(only=whole)
        rollups_rebuild(days={app: days for app, days in touched.items() if app not in whole})
        places_write(now=now)
        # (the mark in hand may hold versions the writes above have moved since: only its time is saved)
        mark.refreshed_at = now
        mark.save(update_fields=["refreshed_at"])
        return sum(len(days) for days in touched.values())


def freshness() -> datetime | None:
    return rollup_state()[0]


def rollup_state() -> tuple[datetime | None, int, int]:
    """When the rollups last took in changes, the version of the day and month rows (moved by every write
    that changed one) and that of the place rows: what a cockpit, and its map, assembled from them may be
    kept under."""
    mark = RollupMark.objects.filter(pk=1).values_list("refreshed_at", "version", "places_version").first()
    return mark if mark is not None else (None, 0, 0)
