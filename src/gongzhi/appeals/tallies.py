"""Per-day and per-month tallies of the appeal KPIs, so that a period's figures read one row per month (or
day), place, tier and category instead of every appeal filed in it.

The tallies are derived from the appeals and nothing else: the day tallies (``AppealDayTally``) from the
appeals, the month tallies (``AppealMonthTally``) from the day tallies, in the same transaction, so that
the two always agree. Every change that moves a KPI (filing, a transition, a rating, a merge, a new
category or place) writes an ``AppealEvent``; ``tallies_refresh`` (every minute, and at the end of the demo
load) rebuilds the days of the appeals with events after ``AppealTallyMark.last_event_id``, then the months
those days fall in, and moves the mark. A reader (appeals/kpis.py) takes the month tallies for whole
months, the day tallies for the other whole days, and reads the appeals themselves for the part-days at
the ends of the period and for the days still to be refreshed (``days_to_read_live``; a month holding such
a day is read from its other days' tallies), so the figures are the same as counting every appeal.
``tallies_rebuild`` (nightly, and `gongzhi appeal_tallies --rebuild`) builds all of them again, which also
takes in appeals written without an event (bulk loads by SQL).

The mark only moves past events older than ``MARGIN`` so that an event written by a transaction still
open when the refresh ran (its id lower than a committed one's) is taken in by a later refresh.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, FloatField, Func, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from gongzhi.appeals.models import (
    Appeal,
    AppealDayTally,
    AppealEvent,
    AppealMonthTally,
    AppealTallyMark,
    Rating,
    Status,
    Tier,
)

RESOLVED = [Status.RESOLVED, Status.CLOSED]
MARGIN = timedelta(seconds=60)
# Beyond this many events not yet taken in, a reader counts the appeals themselves (the refresh is behind).
MAX_PENDING_EVENTS = 5000
# Beyond this many days to rebuild, the refresh rebuilds everything in one pass.
MAX_DAYS_PER_REFRESH = 90
COUNTS = [
    "collected",
    "responded",
    "resolved",
    "on_time",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "not_rated",
    "resolved_compound",
    "resolved_community",
    "resolved_subdistrict",
]
SECONDS = ["accept_seconds", "resolve_seconds"]
FIELDS = COUNTS + SECONDS
TOP_CATEGORY = Coalesce("category__parent__parent_id", "category__parent_id", "category_id")


class SecondsBetween(Func):
    """Seconds from ``earlier`` to ``later`` computed by the database itself: SQLite would otherwise call
    back into Python for each row's date difference."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, later: str, earlier: str) -> None:
        super().__init__(F(later), F(earlier))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s)) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def appeal_sums() -> dict[str, Any]:
    """The KPI sums over appeals, as the tallies hold them (averages are sums over counts, so that parts
    add up)."""
    resolved = Q(status__in=RESOLVED, resolved_at__isnull=False)
    return {
        "collected": Count("pk"),
        "responded": Count("pk", filter=Q(first_accepted_at__isnull=False)),
        "resolved": Count("pk", filter=resolved),
        "on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("resolve_due"))),
        "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED)),
        "basically_satisfied": Count("pk", filter=Q(rating=Rating.BASICALLY_SATISFIED)),
        "dissatisfied": Count("pk", filter=Q(rating=Rating.DISSATISFIED)),
        "not_rated": Count("pk", filter=Q(rating=Rating.NOT_RATED)),
        "resolved_compound": Count("pk", filter=resolved & Q(resolved_tier=Tier.COMPOUND)),
        "resolved_community": Count("pk", filter=resolved & Q(resolved_tier=Tier.COMMUNITY)),
        "resolved_subdistrict": Count("pk", filter=resolved & Q(resolved_tier=Tier.SUBDISTRICT)),
        "accept_seconds": Sum(SecondsBetween("first_accepted_at", "created_at")),
        "resolve_seconds": Sum(SecondsBetween("resolved_at", "created_at"), filter=resolved),
    }


def tally_sums() -> dict[str, Any]:
    return {name: Sum(name) for name in FIELDS}


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def filed_between(ranges: Iterable[tuple[datetime, datetime]]) -> Q:
    """Appeals filed in any of the [start, end) ranges."""
    q = Q(pk__in=[])
    for start, end in ranges:
        q |= Q(created_at__gte=start, created_at__lt=end)
    return q


def _day_ranges(days: Iterable[date]) -> list[tuple[datetime, datetime]]:
    """Runs of consecutive days as [start, end) ranges of time."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], day + timedelta(days=1))
        else:
            ranges.append((day, day + timedelta(days=1)))
    return [(day_start(a), day_start(b)) for a, b in ranges]


def _tallies_of(appeals: Q) -> list[AppealDayTally]:
    rows = (
        # unscoped: derived figures of every appeal; readers apply their own scope (appeals/kpis.py)
        Appeal.objects.filter(appeals)
        .exclude(status=Status.MERGED)
        .annotate(day=TruncDate("created_at", tzinfo=local_zone()), category_top=TOP_CATEGORY)
        .values("day", "node_id", "tier", "category_top")
        .annotate(**appeal_sums())
        .order_by()
    )
    return [
        AppealDayTally(**{k: (v if v is not None else 0.0) if k in SECONDS else v for k, v in r.items()})
        for r in rows
    ]


def _months_of(months: Iterable[date] | None) -> list[AppealMonthTally]:
    """The month tallies of ``months`` (first days; all months when None), added up from their day tallies."""
    days = AppealDayTally.objects.all()
    if months is not None:
        spans = Q(pk__in=[])
        for month in months:
            spans |= Q(day__gte=month, day__lt=next_month(month))
        days = days.filter(spans)
    rows = (
        days.annotate(month=TruncMonth("day"))
        .values("month", "node_id", "tier", "category_top")
        .annotate(**tally_sums())
        .order_by()
    )
    return [AppealMonthTally(**r) for r in rows]


def _days_of_events(after: int, upto: int | None = None) -> set[date]:
    events = AppealEvent.objects.filter(pk__gt=after)
    if upto is not None:
        events = events.filter(pk__lte=upto)
    # unscoped: the days to recount, of every appeal with a new event
    filed = Appeal.objects.filter(pk__in=events.values("appeal_id")).values_list("created_at", flat=True)
    zone = local_zone()
    return {moment.astimezone(zone).date() for moment in filed}


@transaction.atomic
def tallies_rebuild(*, days: Iterable[date] | None = None) -> int:
    """Build the day tallies of ``days`` (all days when None) from the appeals, then the month tallies of
    the months they fall in from the day tallies; returns the day rows written."""
    months: list[date] | None = None
    if days is None:
        upto = AppealEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        AppealDayTally.objects.all().delete()
        AppealMonthTally.objects.all().delete()
        rows = _tallies_of(Q())
        AppealTallyMark.objects.update_or_create(
            pk=1, defaults={"last_event_id": upto, "refreshed_at": timezone.now()}
        )
    else:
        days = sorted(set(days))
        if not days:
            return 0
        months = sorted({month_start(day) for day in days})
        AppealDayTally.objects.filter(day__in=days).delete()
        AppealMonthTally.objects.filter(month__in=months).delete()
        rows = _tallies_of(filed_between(_day_ranges(days)))
    AppealDayTally.objects.bulk_create(rows, batch_size=2000)
    AppealMonthTally.objects.bulk_create(_months_of(months), batch_size=2000)
    return len(rows)


def tallies_refresh(*, now: datetime | None = None) -> int:
    """Take in the events written since the last refresh (older than MARGIN); returns the days rebuilt."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _ = AppealTallyMark.objects.select_for_update().get_or_create(pk=1)
        upto = AppealEvent.objects.filter(pk__gt=mark.last_event_id, at__lt=now - MARGIN).aggregate(
            m=Max("pk")
        )["m"]
        if mark.refreshed_at is None:
            tallies_rebuild()
            return -1
        if upto is None:
            return 0
        days = _days_of_events(mark.last_event_id, upto)
        if len(days) > MAX_DAYS_PER_REFRESH:
            tallies_rebuild()
            return len(days)
        tallies_rebuild(days=days)
        mark.last_event_id = upto
        mark.refreshed_at = now
        mark.save(update_fields=["last_event_id", "refreshed_at"])
        return len(days)


def days_to_read_live() -> set[date] | None:
    """The days whose tallies may be behind the appeals (they have events the tallies have not taken in);
    None when the tallies cannot serve at all (never built, or too far behind)."""
    mark = AppealTallyMark.objects.filter(pk=1, refreshed_at__isnull=False).first()
    if mark is None:
        return None
    pending = AppealEvent.objects.filter(pk__gt=mark.last_event_id).order_by("pk")
    if pending[MAX_PENDING_EVENTS : MAX_PENDING_EVENTS + 1].exists():
        return None
    return _days_of_events(mark.last_event_id)
