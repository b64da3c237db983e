"""The KPI day and month tallies give the same figures as counting every appeal, for any period and grouping,
also for changes the tallies have not taken in yet."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.appeals import kpis
from gongzhi.appeals.kpis import appeal_kpis
from gongzhi.appeals.models import Appeal, AppealDayTally, AppealMonthTally, AppealTallyMark, Rating
from gongzhi.appeals.services import appeal_transition
from gongzhi.appeals.tallies import MARGIN, local_zone, tallies_rebuild, tallies_refresh

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

GROUPS = [None, "node", "tier", "category", "month"]


@pytest.fixture
def spread(world, file_appeal):
    """Appeals in several states, filed over the last five days (two on each day)."""
    c, staff, res = world.commissioner, world.a1_staff, world.resident
    filed = []
    for n in range(10):
        appeal = file_appeal(title=f"楼道堆放杂物 {n}")
        if n % 5 != 4:
            appeal = appeal_transition(actor=c, appeal=appeal, action="accept")
        if n % 5 in (1, 2):
            appeal = appeal_transition(actor=c, appeal=appeal, action="resolve", reply="ok")
            rating = [Rating.SATISFIED, Rating.DISSATISFIED][n % 2]
            appeal = appeal_transition(actor=res, appeal=appeal, action="rate", rating=rating)
        if n % 5 == 3:
            appeal = appeal_transition(actor=c, appeal=appeal, action="escalate", note="x")
            appeal = appeal_transition(actor=staff, appeal=appeal, action="accept")
            appeal = appeal_transition(actor=staff, appeal=appeal, action="resolve", reply="ok")
        filed.append(appeal)
    original = file_appeal(title="原诉求")
    appeal_transition(actor=c, appeal=file_appeal(), action="merge", merge_into=original)
    # From local noon, so that "an hour or two earlier" stays on the same day whenever the test runs.
    now = timezone.localtime(timezone.now(), local_zone()).replace(hour=12, minute=0, second=0, microsecond=0)
    for n, appeal in enumerate(filed):
        Appeal.objects.filter(pk=appeal.pk).update(created_at=now - timedelta(days=n // 2, hours=n % 3))
    return world


def periods():
    today = timezone.now().astimezone(local_zone()).replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        (today - timedelta(days=7), today + timedelta(days=1)),  # whole days
        (today - timedelta(days=3, hours=-13), timezone.now() + timedelta(hours=1)),  # from midday
        (today - timedelta(days=2), today - timedelta(days=1)),  # one day
        (today - timedelta(hours=5), today + timedelta(hours=5)),  # no whole day
    ]


def counted_one_by_one(**kwargs):
    mark = AppealTallyMark.objects.get(pk=1)
    AppealTallyMark.objects.filter(pk=1).update(refreshed_at=None)
    try:
        sources = kpis._sources(**{k: v for k, v in kwargs.items() if k != "group_by"})
        assert sources.days is None and sources.months is None
        return appeal_kpis(**kwargs)
    finally:
        AppealTallyMark.objects.filter(pk=1).update(refreshed_at=mark.refreshed_at)


def same(a, b):
    assert a["total"] == b["total"]
    assert a.get("groups") == b.get("groups")


def test_tallies_give_the_figures_of_every_appeal(spread):
    assert tallies_rebuild() > 0
    assert AppealDayTally.objects.values("day").distinct().count() == 5
    users = [
        (spread.sub_admin, spread.sub_a),
        (spread.viewer, spread.district),
        (spread.a1_staff, spread.comm_a1),
    ]
    for user, node in users:
        for start, end in periods():
            for group_by in GROUPS:
                args = {"fetched_by": user, "node": node, "start": start, "end": end, "group_by": group_by}
                same(appeal_kpis(**args), counted_one_by_one(**args))
    whole = appeal_kpis(
        fetched_by=spread.sub_admin, node=spread.sub_a, start=periods()[0][0], end=periods()[0][1]
    )
    assert whole["total"]["collected"] == 11  # the merged duplicate is left out


def test_whole_days_are_read_from_the_tallies(spread):
    tallies_rebuild()
    start, end = periods()[0]
    args = {"fetched_by": spread.sub_admin, "node": spread.sub_a, "start": start, "end": end}
    sources = kpis._sources(**args)
    assert sources.days is not None and sources.live.count() == 0
    before = appeal_kpis(**args)["total"]["collected"]
    AppealDayTally.objects.filter(pk=AppealDayTally.objects.order_by("pk").first().pk).update(collected=100)
    assert appeal_kpis(**args)["total"]["collected"] > before


def test_changes_not_yet_taken_in_are_counted(spread):
    tallies_rebuild()
    mark = AppealTallyMark.objects.get(pk=1).last_event_id
    start, end = periods()[0]
    args = {
        "fetched_by": spread.sub_admin,
        "node": spread.sub_a,
        "start": start,
        "end": end,
        "group_by": "tier",
    }
    open_one = Appeal.objects.filter(status="accepted").first()
    appeal_transition(actor=spread.commissioner, appeal=open_one, action="resolve", reply="修好了")
    after = appeal_kpis(**args)
    same(after, counted_one_by_one(**args))
    assert tallies_refresh() == 0  # the new event is younger than the margin
    assert AppealTallyMark.objects.get(pk=1).last_event_id == mark
    assert tallies_refresh(now=timezone.now() + MARGIN + timedelta(seconds=1)) == 1
    assert AppealTallyMark.objects.get(pk=1).last_event_id > mark
    sources = kpis._sources(**{k: v for k, v in args.items() if k != "group_by"})
    assert sources.live.count() == 0
    same(appeal_kpis(**args), after)


def test_tallies_are_not_read_outside_the_users_reach(spread):
    tallies_rebuild()
    start, end = periods()[0]
    sources = kpis._sources(fetched_by=spread.a2_staff, node=spread.sub_a, start=start, end=end)
    assert sources.days is None and sources.months is None
    result = appeal_kpis(fetched_by=spread.a2_staff, node=spread.comm_a1, start=start, end=end)
    assert result["total"]["collected"] == 0


def test_refresh_builds_from_nothing_and_rebuild_takes_in_rows_without_events(spread):
    assert tallies_refresh(now=timezone.now() + MARGIN * 2) == -1
    start, end = periods()[0]
    args = {"fetched_by": spread.sub_admin, "node": spread.sub_a, "start": start, "end": end}
    before = appeal_kpis(**args)["total"]["collected"]
    day = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tzinfo=local_zone())
    Appeal.objects.filter(pk=Appeal.objects.order_by("pk").first().pk).update(created_at=day)
    tallies_rebuild()
    assert appeal_kpis(**args)["total"]["collected"] == before
    same(appeal_kpis(**args, group_by="month"), counted_one_by_one(**args, group_by="month"))


# Month tallies. The appeals of ``spread`` moved to fixed local moments of 2025–26, some at the very edges of
# months (a minute before midnight on the last day, the first instant of a month), in three places.
MOMENTS = [
    (2025, 9, 3, 10, 0),
    (2026, 1, 31, 23, 30),
    (2026, 2, 1, 0, 0),
    (2026, 2, 14, 12, 0),
    (2026, 3, 1, 0, 10),
    (2026, 3, 15, 9, 0),  # accepted, still open: resolved after the tallies' refresh in the tests below
    (2026, 3, 31, 23, 59),
    (2026, 4, 10, 12, 0),
    (2026, 5, 1, 8, 0),
    (2026, 5, 20, 18, 0),
]


def local(*args):
    return datetime(*args, tzinfo=local_zone())


@pytest.fixture
def seasons(spread):
    w = spread
    filed = Appeal.objects.filter(title__startswith="楼道堆放杂物 ").order_by("pk")
    for n, (appeal, moment) in enumerate(zip(filed, MOMENTS, strict=True)):
        node = w.cmp_b1a if n == 9 else w.bld_a2a if n % 3 == 1 else appeal.node
        Appeal.objects.filter(pk=appeal.pk).update(created_at=local(*moment), node=node)
    Appeal.objects.exclude(title__startswith="楼道堆放杂物 ").update(created_at=local(2026, 4, 20, 15, 0))
    w.open_in_march = Appeal.objects.get(created_at=local(2026, 3, 15, 9, 0))
    assert w.open_in_march.status == "accepted"
    return w


MONTH_PERIODS = {
    # part-days, part-months at both ends and whole months (February to April) between
    "months and parts": (local(2026, 1, 20, 13, 0), local(2026, 5, 20, 12, 0)),
    "inside one month": (local(2026, 3, 1, 0, 0), local(2026, 3, 31, 12, 0)),
    "month starts": (local(2026, 2, 1), local(2026, 5, 1)),
    "a day and a month": (local(2026, 1, 31), local(2026, 3, 1)),
    "a year": (local(2025, 6, 5), local(2026, 6, 5)),
}
# The whole months each period reads from the month tallies.
WHOLE_MONTHS = {
    "months and parts": [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
    "inside one month": [],
    "month starts": [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
    "a day and a month": [date(2026, 2, 1)],
    "a year": [date(2025, m, 1) for m in range(7, 13)] + [date(2026, m, 1) for m in range(1, 6)],
}


def months_read(sources):
    return [] if sources.months is None else sorted(set(sources.months.values_list("month", flat=True)))


def all_figures_agree(w):
    users = [(w.sub_admin, w.sub_a), (w.viewer, w.district), (w.a1_staff, w.comm_a1)]
    for user, node in users:
        for start, end in MONTH_PERIODS.values():
            for group_by in GROUPS:
                args = {"fetched_by": user, "node": node, "start": start, "end": end, "group_by": group_by}
                same(appeal_kpis(**args), counted_one_by_one(**args))


def month_rows():
    fields = ["month", "node_id", "tier", "category_top", "collected", "responded", "resolved", "on_time"]
    fields += ["satisfied", "dissatisfied", "resolved_community", "accept_seconds", "resolve_seconds"]
    return sorted(AppealMonthTally.objects.values_list(*fields), key=repr)


def test_month_tallies_give_the_figures_of_every_appeal(seasons):
    tallies_rebuild()
    assert months_read(seasons_sources(seasons, "a year")) == [
        date(2025, 9, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 5, 1),
    ]
    for name, (start, end) in MONTH_PERIODS.items():
        sources = kpis._sources(fetched_by=seasons.viewer, node=seasons.district, start=start, end=end)
        with_rows = [m for m in WHOLE_MONTHS[name] if AppealMonthTally.objects.filter(month=m).exists()]
        assert months_read(sources) == with_rows, name
    all_figures_agree(seasons)
    year = appeal_kpis(
        fetched_by=seasons.viewer, node=seasons.district, start=local(2025, 6, 5), end=local(2026, 6, 5)
    )
    assert year["total"]["collected"] == 11  # the merged duplicate is left out
    by_month = appeal_kpis(
        fetched_by=seasons.viewer,
        node=seasons.district,
        start=local(2025, 6, 5),
        end=local(2026, 6, 5),
        group_by="month",
    )["groups"]
    assert [(g["key"], g["collected"]) for g in by_month] == [
        ("2025-09", 1),
        ("2026-01", 1),
        ("2026-02", 2),
        ("2026-03", 3),
        ("2026-04", 2),
        ("2026-05", 2),
    ]


def seasons_sources(w, period):
    start, end = MONTH_PERIODS[period]
    return kpis._sources(fetched_by=w.sub_admin, node=w.sub_a, start=start, end=end)


def test_a_month_with_a_day_not_yet_taken_in_is_read_from_its_other_days(seasons):
    tallies_rebuild()
    before = month_rows()
    appeal_transition(
        actor=seasons.commissioner, appeal=seasons.open_in_march, action="resolve", reply="修好了"
    )
    sources = seasons_sources(seasons, "months and parts")
    assert months_read(sources) == [date(2026, 2, 1), date(2026, 4, 1)]  # not March
    assert sorted(set(sources.days.values_list("day", flat=True))) == [
        date(2026, 1, 31),
        date(2026, 3, 1),
        date(2026, 3, 31),
        date(2026, 5, 1),
    ]  # March's other days, not the 15th: its appeal is counted live
    assert list(sources.live.values_list("pk", flat=True)) == [seasons.open_in_march.pk]
    all_figures_agree(seasons)
    resolved = appeal_kpis(
        fetched_by=seasons.sub_admin, node=seasons.sub_a, start=local(2026, 2, 1), end=local(2026, 5, 1)
    )
    assert resolved["total"]["resolved"] == 4  # the tallies still say 3

    # The refresh takes the day in, and its month with it: the same month rows as building everything again.
    assert tallies_refresh(now=timezone.now() + MARGIN + timedelta(seconds=1)) == 1
    refreshed = month_rows()
    assert refreshed != before
    assert months_read(seasons_sources(seasons, "months and parts")) == [date(2026, m, 1) for m in (2, 3, 4)]
    all_figures_agree(seasons)
    tallies_rebuild()
    assert month_rows() == refreshed


def test_a_days_rebuild_rebuilds_only_the_months_of_those_days(seasons):
    tallies_rebuild()
    march = AppealMonthTally.objects.filter(month=date(2026, 3, 1))
    april = AppealMonthTally.objects.filter(month=date(2026, 4, 1))
    march.update(collected=100)
    april.update(collected=100)
    Appeal.objects.filter(pk=seasons.open_in_march.pk).update(created_at=local(2026, 4, 30, 22, 0))
    tallies_rebuild(days=[date(2026, 3, 15), date(2026, 4, 30)])
    assert sum(march.values_list("collected", flat=True)) == 2
    assert sum(april.values_list("collected", flat=True)) == 3
    assert AppealMonthTally.objects.filter(collected=100).count() == 0
    tallied = month_rows()
    tallies_rebuild()
    assert month_rows() == tallied


def test_a_years_whole_months_are_read_from_month_tallies_not_days(seasons):
    tallies_rebuild()
    start, end = MONTH_PERIODS["a year"]
    args = {"fetched_by": seasons.sub_admin, "node": seasons.sub_a, "start": start, "end": end}
    before = appeal_kpis(**args)["total"]["collected"]
    # A day tally inside a whole month is not read; the month's tally is.
    AppealDayTally.objects.filter(day=date(2026, 2, 14)).update(collected=100)
    assert appeal_kpis(**args)["total"]["collected"] == before
    AppealMonthTally.objects.filter(month=date(2026, 2, 1)).update(collected=100)
    assert appeal_kpis(**args)["total"]["collected"] > before
    # The day tallies' queries name only days of the part-months at the period's ends.
    for group_by in GROUPS:
        with CaptureQueriesContext(connection) as queries:
            appeal_kpis(**args, group_by=group_by)
        sql = [q["sql"] for q in queries.captured_queries]
        assert any("appealmonthtally" in s for s in sql), group_by
        day_sql = [s for s in sql if "appealdaytally" in s]
        days = {date.fromisoformat(d) for s in day_sql for d in re.findall(r"\d{4}-\d{2}-\d{2}", s)}
        assert days and all(d <= date(2025, 7, 1) or d >= date(2026, 6, 1) for d in days), (group_by, days)
