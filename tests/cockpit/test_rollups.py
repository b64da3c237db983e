"""The cockpit's rollups give the live KPI providers' figures (``core.registry.kpi_providers()``) on random
data, for any node and period; the refresh takes in what changed; the demo's figures are the seeds'."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.alliances.models import Need, Project, ProjectRating
from gongzhi.appeals.models import OPEN_STATUSES, Appeal, AppealEvent
from gongzhi.cockpit.figures import Period, _open_appeals_map, open_appeals_map, period_of, rollup_totals
from gongzhi.cockpit.models import Rollup, RollupMonth, RollupPlace
from gongzhi.cockpit.rollups import MARGIN, places_write, rollup_state, rollups_rebuild, rollups_refresh
from gongzhi.core.registry import measure_sources
from gongzhi.ledger.models import MallItem, MallOrder
from gongzhi.orgs.models import Node
from gongzhi.venues.models import Venue, VisitCount
from gongzhi.volunteering.models import Activity, Signup
from gongzhi.wishes.models import Wish
from tests.accounts.factories import UserFactory
from tests.cockpit.compare import differences

pytestmark = [pytest.mark.django_db]

ZONE = timezone.get_default_timezone()
TODAY = timezone.localdate()


def _moment(rng: random.Random, days: int = 120) -> datetime:
    """A moment in the last ``days`` days, near midnight now and then (where days are easily confused)."""
    day = TODAY - timedelta(days=rng.randrange(days))
    minute = rng.choice([0, 1, 60 * 23 + 59, rng.randrange(24 * 60)])
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ZONE)


def random_world(w, rng: random.Random) -> None:
    """Appeals, activities and sign-ups, wishes, mall orders, alliance projects, needs and ratings, venue
    counts: random states and times, spread over the world's places."""
    places = [w.cmp_a1a, w.cmp_a1b, w.cmp_a2a, w.cmp_b1a, w.bld_a1a, w.comm_a1, w.sub_b]
    users = [UserFactory() for _ in range(6)]
    appeals = []
    for n in range(rng.randint(10, 40)):
        created = _moment(rng)
        status = rng.choice(["submitted", "accepted", "assigned", "resolved", "closed", "merged"])
        resolved = status in ("resolved", "closed") and rng.random() < 0.9
        resolved_at = created + timedelta(hours=rng.uniform(1, 200)) if resolved else None
        appeals.append(
            Appeal(
                node=rng.choice(places),
                handling_node=w.comm_a1,
                title=f"诉求 {n}",
                body="楼道堆放杂物",
                status=status,
                tier=rng.choice(["compound", "community", "subdistrict"]),
                created_at=created,
                first_accepted_at=created + timedelta(hours=rng.uniform(0.1, 30))
                if status != "submitted"
                else None,
                resolved_at=resolved_at,
                resolve_due=created + timedelta(hours=rng.choice([48, 120])),
                resolved_tier=rng.choice(["compound", "community", "subdistrict"]) if resolved else "",
                rating=rng.choice(["satisfied", "basically_satisfied", "dissatisfied", "not_rated", ""])
                if resolved
                else "",
            )
        )
    target = Appeal.objects.create(node=w.cmp_a1a, handling_node=w.comm_a1, title="原", body="原")
    for a in appeals:
        if a.status == "merged":
            a.merged_into = target
    Appeal.objects.bulk_create(appeals)
    for n in range(rng.randint(2, 8)):
        start = _moment(rng)
        activity = Activity.objects.create(
            node=rng.choice(places),
            organiser=users[0],
            title=f"活动 {n}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=10,
            status=rng.choice(["open", "open", "cancelled"]),
        )
        for user in rng.sample(users, rng.randint(0, 4)):
            confirmed = rng.random() < 0.7
            Signup.objects.create(
                activity=activity,
                user=user,
                status="confirmed",
                hours=Decimal(rng.choice(["0.5", "1", "1.5", "2"])) if confirmed else None,
                confirmed_at=start + timedelta(hours=3) if confirmed else None,
            )
    for n in range(rng.randint(0, 8)):
        Wish.objects.create(
            node=rng.choice(places),
            wisher_name="王",
            posted_by=users[1],
            title=f"心愿 {n}",
            status=rng.choice(["pending", "published", "claimed", "fulfilled", "thanked", "rejected"]),
            created_at=_moment(rng),
        )
    item = MallItem.objects.create(
        node=w.cmp_a1a, subdistrict=w.sub_a, name="毛巾", price=10, created_by=users[0]
    )
    for n in range(rng.randint(0, 8)):
        quantity = rng.randint(1, 3)
        MallOrder.objects.create(
            item=item,
            node=rng.choice(places),
            buyer=rng.choice(users),
            quantity=quantity,
            points=10 * quantity,
            client_key=f"o{n}",
            status=rng.choice(["placed", "approved", "picked_up", "rejected", "cancelled"]),
            created_at=_moment(rng),
        )
    for n in range(rng.randint(0, 6)):
        project = Project.objects.create(
            node=rng.choice(places),
            name=f"项目 {n}",
            created_by=users[0],
            status=rng.choice(["draft", "open", "claimed", "in_progress", "done", "evaluated", "cancelled"]),
            residents_reached=rng.randint(0, 50),
            created_at=_moment(rng),
        )
        for user in rng.sample(users, rng.randint(0, 2)):
            ProjectRating.objects.create(
                project=project,
                user=user,
                rating=rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]),
            )
    for n in range(rng.randint(0, 5)):
        Need.objects.create(
            node=rng.choice(places),
            category="elderly",
            title=f"需求 {n}",
            quantity_kind="hours",
            quantity=5,
            posted_by=users[1],
            status=rng.choice(["draft", "open", "matched", "closed"]),
            created_at=_moment(rng),
        )
    venue = Venue.objects.create(node=w.cmp_a2a, name="驿站", level="station")
    for _ in range(rng.randint(0, 6)):
        VisitCount.objects.create(
            venue=venue,
            day=_moment(rng).date(),
            kind="visit",
            visitors=rng.randint(1, 90),
            activities=rng.randint(0, 3),
        )


def random_period(rng: random.Random) -> Period:
    on = TODAY - timedelta(days=rng.randrange(130))
    kind = rng.choice(["recent", "month", "quarter", "year", "custom"])
    first = on - timedelta(days=rng.randrange(60))
    return period_of(kind, on, first, on)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_rollups_equal_the_live_figures(world, seed):
    rng = random.Random(seed)
    with transaction.atomic():
        random_world(world, rng)
        assert rollups_rebuild() > 0
        for _ in range(4):
            period = random_period(rng)
            for user, node in [
                (world.superuser, world.district),
                (world.sub_admin, world.sub_a),
                (world.a1_staff, world.comm_a1),
                (world.superuser, rng.choice([world.cmp_a1a, world.cmp_a2a, world.comm_b1, world.bld_a1a])),
            ]:
                assert differences(user=user, node=node, period=period) == []
        transaction.set_rollback(True)


def test_refresh_takes_in_what_changed_since(world):
    rng = random.Random(7)
    random_world(world, rng)
    assert rollups_refresh() == -1  # the first run builds everything
    period = period_of("custom", TODAY, TODAY - timedelta(days=130), TODAY)
    before = rollup_totals(world.district, period, ["appeals", "wishes"])
    # A new appeal and a wish moved on, written after the refresh: the next refresh counts their days again.
    later = timezone.now() + MARGIN * 3
    appeal = Appeal.objects.create(node=world.cmp_b1a, handling_node=world.comm_b1, title="新", body="新")
    AppealEvent.objects.create(appeal=appeal, action="submit", to_status="submitted", to_tier="compound")
    Wish.objects.create(node=world.cmp_a1a, wisher_name="李", posted_by=world.superuser, title="新心愿")
    # This month and year are read from the month rollups, the 131 days partly from the day rollups.
    periods = [period, period_of("month", TODAY), period_of("year", TODAY), period_of("recent", TODAY)]
    for each in periods:
        assert differences(user=world.superuser, node=world.district, period=each) != [], each
    assert rollups_refresh(now=later) > 0
    for each in periods:
        assert differences(user=world.superuser, node=world.district, period=each) == [], each
    after = rollup_totals(world.district, period, ["appeals", "wishes"])
    assert after["appeals"]["collected"] == before.get("appeals", {}).get("collected", 0) + 1
    assert after["wishes"]["posted"] == before.get("wishes", {}).get("posted", 0) + 1


def _held():
    """Every day and month rollup row, values rounded past float noise."""
    days = {(r.node_id, r.day, r.app, r.measure): round(r.value, 6) for r in Rollup.objects.all()}
    months = {(r.node_id, r.month, r.app, r.measure): round(r.value, 6) for r in RollupMonth.objects.all()}
    return days, months


def test_the_refresh_writes_what_a_full_build_would(world):
    """The refresh (in SQL: the days' figures beside the rows held, only the changed rows written, each month
    moved by its days' change) leaves the day and month rollups exactly as a full build makes them, also
    when a day's figure falls to nothing (its rows and its month's are removed, not left at zero)."""
    rng = random.Random(11)
    random_world(world, rng)
    lonely = datetime.combine(TODAY - timedelta(days=200), time(10), tzinfo=ZONE)
    appeal = Appeal.objects.create(
        node=world.bld_a1a, handling_node=world.comm_a1, title="独", body="独", created_at=lonely
    )
    Appeal.objects.create(node=world.cmp_a1a, handling_node=world.comm_a1, title="今", body="今")
    assert rollups_refresh() == -1
    at = {"node": world.bld_a1a, "app": "appeals", "measure": "collected"}
    assert Rollup.objects.get(day=lonely.date(), **at).value == 1
    assert RollupMonth.objects.get(month=lonely.date().replace(day=1), **at).value == 1
    # Today's appeals of 社区A1: today is counted again below, but nothing changes there.
    kept = Rollup.objects.get(day=TODAY, node=world.comm_a1, app="appeals", measure="collected")
    # Changes: the lonely appeal merged (its day's figures fall to nothing), a new appeal and a wish today.
    later = timezone.now() + MARGIN * 3
    target = Appeal.objects.create(node=world.cmp_b1a, handling_node=world.comm_b1, title="并", body="并")
    Appeal.objects.filter(pk=appeal.pk).update(status="merged", merged_into=target)
    AppealEvent.objects.create(appeal=appeal, action="merge", from_status="submitted", to_status="merged")
    AppealEvent.objects.create(appeal=target, action="submit", to_status="submitted", to_tier="compound")
    Wish.objects.create(node=world.cmp_a2a, wisher_name="李", posted_by=world.superuser, title="新心愿")
    assert rollups_refresh(now=later) > 0
    assert not Rollup.objects.filter(day=lonely.date(), **at).exists()
    assert not RollupMonth.objects.filter(month=lonely.date().replace(day=1), **at).exists()
    # A row whose figure did not change is not written again (the same row, not deleted and put back).
    assert Rollup.objects.get(pk=kept.pk).value == kept.value
    refreshed = _held()
    rollups_rebuild()
    assert _held() == refreshed


def _live_map(node, now):
    """The map of ``node`` counted in Python from every appeal: (place, open, late) of the places in its
    subtree that have coordinates and open appeals."""
    counts: dict[str, list[int]] = {}
    for appeal in Appeal.objects.select_related("node"):
        place = appeal.node
        if appeal.status in OPEN_STATUSES and place.path.startswith(node.path) and place.lat is not None:
            count = counts.setdefault(place.name, [0, 0])
            count[0] += 1
            count[1] += appeal.resolve_due is not None and appeal.resolve_due < now
    return sorted((name, *count) for name, count in counts.items())


def _mapped(node):
    return sorted((r["name"], r["open"], r["late"]) for r in _open_appeals_map(node))


def test_the_map_counts_open_and_late_appeals_per_place(world):
    """The cockpit's map reads the place rollups: after a refresh they equal the open and late appeals
    counted from the appeals, for every node; appeals that fall late with time (no event) are late after the
    next refresh; a place whose last open appeal closed leaves the map; rows equal a full build's."""
    for n, place in enumerate([world.cmp_a1a, world.cmp_a1b, world.cmp_a2a, world.cmp_b1a, world.bld_a1a]):
        # unscoped: the test places the compounds on the map (街道B and 社区A1 stay without a point)
        Node.objects.filter(pk=place.pk).update(lat=30.2 + n / 100, lng=120.1 + n / 100)
    random_world(world, random.Random(5))
    soon = Appeal.objects.create(
        node=world.cmp_a2a,
        handling_node=world.comm_a1,
        title="明天到期",
        body="明天到期",
        resolve_due=timezone.now() + timedelta(days=1),
    )
    assert rollups_refresh() == -1
    now = timezone.now()
    nodes = [world.district, world.sub_a, world.comm_a1, world.comm_a2, world.cmp_a1a, world.sub_b]
    first = {node.pk: _mapped(node) for node in nodes}
    for node in nodes:
        assert first[node.pk] == _live_map(node, now), node.name
    assert first[world.district.pk], "the random world has open appeals on the map"
    _, days_version, places_version = rollup_state()
    shown = open_appeals_map(world.comm_a2, places_version)  # as a cockpit keeps it, under the version
    assert sorted((r["name"], r["open"], r["late"]) for r in shown) == first[world.comm_a2.pk]
    # Three days on: the appeal due tomorrow is late without any event; the open appeals of 小区A1b close.
    later = timezone.now() + timedelta(days=3)
    closing = list(Appeal.objects.filter(node=world.cmp_a1b, status__in=OPEN_STATUSES))
    Appeal.objects.filter(pk__in=[a.pk for a in closing]).update(status="closed")
    Appeal.objects.create(node=world.cmp_b1a, handling_node=world.comm_b1, title="新", body="新")
    assert _mapped(world.district) == first[world.district.pk]  # as the last refresh found them
    rollups_refresh(now=later)
    for node in nodes:
        assert _mapped(node) == _live_map(node, later), node.name
    # Only the place rollups changed (no appeal event, no day to count again): their version moved, so the
    # next viewer's map is the new one, and the day rollups' version (the cockpits kept under it) did not.
    _, days_after, places_after = rollup_state()
    assert places_after != places_version and days_after == days_version
    shown = open_appeals_map(world.comm_a2, places_after)
    assert sorted((r["name"], r["open"], r["late"]) for r in shown) == _live_map(world.comm_a2, later)
    rollups_refresh(now=later)  # nothing changed since: nothing written, no version moves
    assert rollup_state()[1:] == (days_after, places_after)
    a2a = next(r for r in _mapped(world.comm_a2) if r[0] == "小区A2a")
    before = next(r for r in first[world.comm_a2.pk] if r[0] == "小区A2a")
    assert a2a[2] > before[2] and soon.resolve_due < later  # its appeals only fell late, none closed
    assert closing and all(r[0] != "小区A1b" for r in _mapped(world.district))
    # The refresh's writes (new, changed and deleted rows) leave what a count from nothing writes.
    held = set(RollupPlace.objects.values_list("node_id", "app", "measure", "value"))
    RollupPlace.objects.all().delete()
    assert places_write(now=later) == len(held) > 0
    assert set(RollupPlace.objects.values_list("node_id", "app", "measure", "value")) == held


def test_rollups_are_materialised_at_every_ancestor(world):
    Appeal.objects.create(node=world.bld_a1a, handling_node=world.comm_a1, title="楼", body="楼")
    rollups_rebuild()
    today = timezone.localdate()
    held = set(
        Rollup.objects.filter(app="appeals", measure="collected", day=today).values_list(
            "node__name", "value"
        )
    )
    assert held == {(n, 1.0) for n in ("区D", "街道A", "社区A1", "小区A1a", "楼A1a-1")}
    assert set(measure_sources()) >= {"appeals", "volunteering", "wishes", "ledger", "alliances", "venues"}


def check_demo_cockpit():
    """Called by the demo test (tests/core/test_demo.py), after its one load of the demo: the cockpit's
    figures for the past year are the seeds' (上塘 312 appeals / 245 resolved; 搭把手 320 activities and
    2,251 hours in 祥符), and every module's rollups equal its live KPIs for the five subdistricts."""
    from gongzhi.accounts.models import User
    from gongzhi.orgs.models import Node

    admin = User.objects.get(username="admin")
    period = period_of("custom", TODAY, TODAY - timedelta(days=399), TODAY)
    sources = measure_sources()
    shangtang = Node.objects.get(name="上塘街道")
    appeals = sources["appeals"].figures(rollup_totals(shangtang, period, ["appeals"])["appeals"])
    assert (appeals["collected"], appeals["resolved"]) == (312, 245)
    xiangfu = Node.objects.get(name="祥符街道")
    service = sources["volunteering"].figures(
        rollup_totals(xiangfu, period, ["volunteering"])["volunteering"]
    )
    assert service["activities"] == 320 and int(service["hours"]) == 2251
    for name in ("上塘街道", "祥符街道", "望湖街道", "城厢街道", "大关街道", "慧园小区"):
        assert differences(user=admin, node=Node.objects.get(name=name), period=period) == []
