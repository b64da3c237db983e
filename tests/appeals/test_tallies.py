"""The KPI day tallies give the same figures as counting every appeal, for any period and grouping, also
for changes the tallies have not taken in yet."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from gongzhi.appeals import kpis
from gongzhi.appeals.kpis import appeal_kpis
from gongzhi.appeals.models import Appeal, AppealDayTally, AppealTallyMark, Rating
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
        assert kpis._sources(**{k: v for k, v in kwargs.items() if k != "group_by"})[1] is None
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
    live, tallies = kpis._sources(**args)
    assert tallies is not None and live.count() == 0
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
    live, _tallies = kpis._sources(**{k: v for k, v in args.items() if k != "group_by"})
    assert live.count() == 0
    same(appeal_kpis(**args), after)


def test_tallies_are_not_read_outside_the_users_reach(spread):
    tallies_rebuild()
    start, end = periods()[0]
    _live, tallies = kpis._sources(fetched_by=spread.a2_staff, node=spread.sub_a, start=start, end=end)
    assert tallies is None
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
