"""The cockpit at city scale on PostgreSQL (`make bench-cockpit`, issue 19; figures in docs/benchmarks.md).

A city of 10,000,000 residents: one top node (kind "district", the product's top kind, standing for the
city), 180 subdistricts, 20 communities each (3,600) and 5 compounds each (18,000). A smaller --scale keeps
the 180 subdistricts and has 20 × scale communities in each (and fewer subdistricts below 0.05). 5,000,000 appeals over
the last year, written by set-based SQL (generate_series), each with its filing event.

What is generated, and the shortcuts (docs/benchmarks.md says the same):

- The appeals' day rollups are made in SQL from the appeals with the product's own aggregate (the query of
  ``appeals.tallies._tallies_of``, wrapped in one INSERT … SELECT) and added up to every ancestor in SQL
  (the product's rebuild does the adding up in SQL too, but takes the per-place rows from each module's
  ``daily_measures`` in Python).
- The other modules' rollups (volunteering, mall, wishes, alliances, venues, deliberation, party work,
  community services) are generated at full scale directly (per community and day, at rates proportionate
  to a city of ten million), but their event rows are not: those tables stay empty, so the catch-up's
  look for their touched days runs over empty tables.
- Residents are not rows (the cockpit reads none).
- The month rollups are made from the day rollups by the product's own ``months_rebuild``, the place
  rollups (the map's open and late appeals) by its ``places_write``.

Measured in one run, old against new (the old read path and rollup write are a frozen copy in
bench/cockpit_before.py, put in place of the product's for their samples): each sample opens one viewer's
cockpit with the old read path, then the new one uncached (cache cleared: the first viewer after the
rollups changed), then the new one again as the next viewer finds it (cached); p50/p95 over --samples,
through Django's test client (the whole request: the view, its queries, the template or the JSON). The
city's cockpit (district viewer at the top) for the default period, a month and a year, page and API; 8
random subdistricts' (their administrators) for the same. Before the timing, both paths' figures are
compared for every viewer and period. Then the queries of one city-year page by table, old and new; and
the rollup catch-up after 10,000 new appeals with their filing events (``rollups_refresh``, the
every-minute task): the old write and the new one in turn (--rounds times) on the same state, each in a
transaction rolled back but the last new one, and the city's figures compared after each.

Options: --scale F (1.0 = the city above; 0.02 for a quick look), --samples N, --rounds N, --keep (reuse
the database in GONGZHI_PG_DIR).
"""

import argparse
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault("GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.accounts.services import api_token_issue  # noqa: E402
from gongzhi.appeals.models import Appeal, AppealEvent, Category, Status  # noqa: E402
from gongzhi.appeals.tallies import TOP_CATEGORY, appeal_sums, local_zone  # noqa: E402
from gongzhi.cockpit import api, figures, rollups, views  # noqa: E402
from gongzhi.cockpit.models import Rollup, RollupMark, RollupMonth, RollupPlace  # noqa: E402
from gongzhi.cockpit.views import period_from  # noqa: E402
from gongzhi.demo.world import Tree  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cockpit_before  # noqa: E402
from common import percentile  # noqa: E402

ROOT = "BENCHC"
# Appeals per year and resident (5,000,000 in a city of 10,000,000).
APPEALS_PER_RESIDENT = 0.5
# The other modules: (measure, typical value when it happens) and how often it happens per community and
# day (a Poisson rate: a city of ten million has about 3,600 communities).
OTHERS: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "volunteering": (1.5, [("activities", 1), ("services", 3), ("hours", 7)]),
    "ledger": (0.4, [("orders", 2), ("pieces", 3), ("points_spent", 200), ("refunded", 0.1)]),
    "wishes": (0.05, [("posted", 1), ("published", 1), ("claimed", 1), ("fulfilled", 1)]),
    "alliances": (
        0.03,
        [
            ("projects", 1),
            ("claimed", 1),
            ("finished", 1),
            ("reached", 40),
            ("rated", 5),
            ("satisfied", 4),
            ("needs", 2),
            ("needs_matched", 1),
        ],
    ),
    "venues": (
        2.5,
        [("visitors", 120), ("activities", 2), ("bookings_confirmed", 1), ("residents_served", 30)],
    ),
    "deliberation": (
        0.05,
        [
            ("topics", 1),
            ("from_appeals", 1),
            ("decided", 1),
            ("done", 1),
            ("ratings", 4),
            ("rating_sum", 17),
            ("satisfied", 3),
            ("cases", 2),
            ("cases_at_risk", 1),
            ("agreements", 1),
            ("referrals", 1),
        ],
    ),
    "partywork": (0.3, [("expenses", 1), ("expenses_published", 1), ("member_points_approved", 20)]),
    "community": (
        0.2,
        [
            ("orders", 2),
            ("responded", 2),
            ("unanswered_cancel", 0.2),
            ("accepted", 2),
            ("completed", 2),
            ("confirmed", 2),
            ("rated", 1),
            ("rating_sum", 4.5),
            ("hours", 3),
        ],
    ),
}


def sql(statement: str, params: list | tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def step(label: str, started: float) -> float:
    now = time.monotonic()
    print(f"  {label} ({now - started:.0f} s)", flush=True)
    return now


def build_tree(subdistricts: int, communities: int) -> None:
    tree = Tree()
    root = tree.add(None, code=ROOT, name="基准市", kind=NodeKind.DISTRICT, lat=30.3, lng=120.15)
    rng = random.Random(5)
    for s in range(subdistricts):
        sub = tree.add(
            root,
            code=f"C{s:03d}",
            name=f"街道{s}",
            kind=NodeKind.SUBDISTRICT,
            lat=30 + rng.random(),
            lng=119.7 + rng.random(),
        )
        for c in range(communities):
            comm = tree.add(
                sub,
                code=f"{sub.code}{c:02d}",
                name=f"社区{s}-{c}",
                kind=NodeKind.COMMUNITY,
                lat=sub.lat + rng.uniform(-0.02, 0.02),
                lng=sub.lng + rng.uniform(-0.02, 0.02),
            )
            for k in range(5):
                tree.add(
                    comm,
                    code=f"{comm.code}{k:02d}",
                    name=f"小区{s}-{c}-{k}",
                    kind=NodeKind.COMPOUND,
                    lat=comm.lat + rng.uniform(-0.005, 0.005),
                    lng=comm.lng + rng.uniform(-0.005, 0.005),
                )
    tree.save()


def write_appeals(count: int, *, days: float, open_share: float, note: str) -> None:
    """``count`` appeals filed over the last ``days`` at random compounds of the city, each with its filing
    event, by one INSERT … SELECT each (the bench_compound table numbers the compounds)."""
    now = timezone.now()
    sql(
        f"""
        INSERT INTO {Appeal._meta.db_table} (node_id, handling_node_id, tier, status, version, title, body,
            channel, hidden_from_neighbours, client_key, transferred_to, created_at, accept_due, resolve_due,
            accepted_at, first_accepted_at, resolved_at, resolved_tier, reply, proposed_reply, reopened_count,
            rating, rating_comment, open_data, category_id, support_up, support_down)
        SELECT c.id, c.id, 'compound', s.status, 1, '诉求 ' || s.g, '楼道照明、噪音、停车等问题', 'web',
            false, '', '', s.created, s.created + interval '1 day',
            CASE WHEN s.status = 'submitted' THEN NULL ELSE s.created + interval '7 days' END,
            s.accepted, s.accepted, s.resolved,
            CASE WHEN s.resolved IS NULL THEN '' ELSE 'compound' END,
            CASE WHEN s.resolved IS NULL THEN '' ELSE '已处理' END, '', 0,
            CASE WHEN s.status <> 'closed' THEN ''
                 WHEN s.r < 0.7 THEN 'satisfied' WHEN s.r < 0.8 THEN 'basically_satisfied'
                 WHEN s.r < 0.9 THEN 'dissatisfied' ELSE 'not_rated' END,
            '', false, (SELECT id FROM bench_category WHERE i = 1 + (s.g %% 8)),
            0, 0
        FROM (
            SELECT g, k, r, status, created,
                CASE WHEN status = 'submitted' THEN NULL
                     ELSE created + (1 + 19 * r) * interval '1 hour' END AS accepted,
                CASE WHEN status IN ('resolved', 'closed') THEN created + (5 + 195 * r) * interval '1 hour' END
                    AS resolved
            FROM (
                SELECT g, 1 + floor(random() * (SELECT count(*) FROM bench_compound))::int AS k, random() AS r,
                    CASE WHEN o < %(open)s THEN (ARRAY['submitted', 'accepted', 'assigned'])[1 + (g %% 3)]
                         WHEN o < %(open)s + 0.02 THEN 'resolved' ELSE 'closed' END AS status,
                    CASE WHEN o < %(open)s THEN %(now)s - random() * interval '2 days'
                         ELSE %(now)s - random() * %(days)s * interval '1 day' END AS created
                FROM (SELECT g, random() AS o FROM generate_series(1, %(count)s) g) seed
            ) draw
        ) s JOIN bench_compound c ON c.i = s.k
        """.replace("%(open)s", str(open_share)),  # noqa: S608
        {"now": now, "days": days, "count": count},
    )
    # One filing event per appeal just written (those with the note's title range are this batch's).
    sql(
        f"""
        INSERT INTO {AppealEvent._meta.db_table} (appeal_id, at, action, from_status, to_status, from_tier,
            to_tier, note, public, detail)
        SELECT a.id, a.created_at, 'submit', '', 'submitted', '', 'compound', %s, true, '{{}}'
        FROM {Appeal._meta.db_table} a
        WHERE a.id > (SELECT coalesce(max(appeal_id), 0) FROM {AppealEvent._meta.db_table})
        ORDER BY a.id
        """,  # noqa: S608
        [note],
    )


def appeals_leaf_sql() -> tuple[str, list]:
    """The product's per-day aggregate of the appeals (``appeals.tallies._tallies_of``'s query) as SQL."""
    query = (
        # unscoped: the benchmark counts every appeal
        Appeal.objects.exclude(status=Status.MERGED)
        .annotate(day=local_day_expr(), category_top=TOP_CATEGORY)
        .values("day", "node_id", "category_top")
        .annotate(**appeal_sums())
        .order_by()
    )
    text, params = query.query.sql_with_params()
    return text, list(params)


def local_day_expr():
    from django.db.models.functions import TruncDate

    return TruncDate("created_at", tzinfo=local_zone())


def build_rollups(started: float) -> float:
    from gongzhi.appeals.tallies import FIELDS

    Rollup.objects.all().delete()
    sql("DROP TABLE IF EXISTS bench_leaf")
    sql("CREATE UNLOGGED TABLE bench_leaf (node_id bigint, day date, app text, measure text, value float8)")
    inner, params = appeals_leaf_sql()
    values = ", ".join(f"('{name}', t.{name}::float8)" for name in FIELDS)
    values += (
        ", ('category:' || t.category_top, CASE WHEN t.category_top IS NULL THEN 0 ELSE t.collected END)"
    )
    sql(
        f"""
        INSERT INTO bench_leaf SELECT t.node_id, t.day, 'appeals', m.measure, sum(m.value)
        FROM ({inner}) t CROSS JOIN LATERAL (VALUES {values}) m(measure, value)
        WHERE m.value <> 0 GROUP BY 1, 2, 3, 4
        """,  # noqa: S608
        params,
    )
    started = step("appeals' day measures per compound", started)
    today = timezone.localdate()
    for app, (rate, measures) in OTHERS.items():
        # One draw per community, day and module: whether it happened (Poisson), and then each measure
        # around its typical value.
        values = ", ".join(f"('{m}', {v}::float8)" for m, v in measures)
        sql(
            f"""
            INSERT INTO bench_leaf
            SELECT c.id, d.day, %s, m.measure, round((m.typical * (0.5 + random()))::numeric, 1)::float8
            FROM {Node._meta.db_table} c
            CROSS JOIN (SELECT (%s::date - g) AS day FROM generate_series(0, 365) g) d
            CROSS JOIN LATERAL (SELECT random() + 0 * c.id + 0 * (d.day - d.day) AS r) draw
            CROSS JOIN LATERAL (VALUES {values}) m(measure, typical)
            WHERE c.kind = 'community' AND c.path LIKE %s AND draw.r < 1 - exp(-%s::float8)
            """,  # noqa: S608
            [app, today, Node.objects.get(code=ROOT).path + "%", rate],
        )
    started = step("the other modules' day measures per community", started)
    up = rollups.ancestors()
    sql("DROP TABLE IF EXISTS bench_up")
    sql("CREATE UNLOGGED TABLE bench_up (node_id bigint, ancestor_id bigint)")
    with connection.cursor() as cursor, cursor.connection.cursor().copy("COPY bench_up FROM STDIN") as copy:
        for node, ancestors in up.items():
            for ancestor in ancestors:
                copy.write_row((node, ancestor))
    table = Rollup._meta.db_table
    sql(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS cockpit_rollup_unique")
    sql("DROP INDEX IF EXISTS cockpit_rollup_app_day")
    sql("DROP INDEX IF EXISTS cockpit_rollup_cover")
    sql(
        f"""
        INSERT INTO {table} (node_id, day, app, measure, value)
        SELECT u.ancestor_id, l.day, l.app, l.measure, sum(l.value)
        FROM bench_leaf l JOIN bench_up u ON u.node_id = l.node_id
        GROUP BY 1, 2, 3, 4
        """  # noqa: S608
    )
    started = step(f"{Rollup.objects.count():,} day rollups at every ancestor", started)
    sql(f"ALTER TABLE {table} ADD CONSTRAINT cockpit_rollup_unique UNIQUE (node_id, day, app, measure)")
    sql(f"CREATE INDEX cockpit_rollup_app_day ON {table} (app, day)")
    sql(f"CREATE INDEX cockpit_rollup_cover ON {table} (node_id, app, measure, day, value)")
    started = step("indexes", started)
    written = rollups.months_rebuild()
    started = step(f"{written:,} month rollups", started)
    sql("DROP TABLE bench_leaf")
    sql("DROP TABLE bench_up")
    written = rollups.places_write(now=timezone.now())
    started = step(f"{written:,} place rollups (the open and late appeals of each place)", started)
    RollupMark.objects.update_or_create(
        pk=1, defaults={"refreshed_at": timezone.now(), "rebuilt_at": timezone.now()}
    )
    return started


def build(scale: float) -> None:
    started = time.monotonic()
    # Smaller scales keep the 180 subdistricts (the city's ranking) and have fewer communities in each.
    subdistricts = 180 if scale >= 0.05 else max(2, round(180 * scale * 20))
    communities = max(1, round(20 * scale)) if scale >= 0.05 else 1
    build_tree(subdistricts, communities)
    started = step(f"{Node.objects.count():,} nodes", started)
    root = Node.objects.get(code=ROOT)
    for i, name in enumerate(
        ["环境卫生", "物业服务", "停车管理", "邻里纠纷", "市政设施", "安全隐患", "公共服务", "其他"]
    ):
        Category.objects.get_or_create(name=f"基准{i}{name}", level=1, parent=None, subdistrict=None)
    sql("DROP TABLE IF EXISTS bench_category")
    sql(
        "CREATE TABLE bench_category AS SELECT row_number() OVER (ORDER BY id) AS i, id FROM appeals_category "
        "WHERE name LIKE '基准%%'"
    )
    sql("DROP TABLE IF EXISTS bench_compound")
    sql(
        f"CREATE TABLE bench_compound AS SELECT row_number() OVER (ORDER BY id) AS i, id FROM {Node._meta.db_table} "  # noqa: S608
        "WHERE kind = 'compound' AND path LIKE %s",
        [root.path + "%"],
    )
    sql("CREATE UNIQUE INDEX ON bench_compound (i)")
    appeals = round(10_000_000 * scale * APPEALS_PER_RESIDENT)
    write_appeals(appeals, days=365, open_share=0.01, note="bench")
    started = step(f"{appeals:,} appeals with their filing events", started)
    sql(f"VACUUM ANALYZE {Appeal._meta.db_table}")
    sql(f"VACUUM ANALYZE {AppealEvent._meta.db_table}")
    sql(f"VACUUM ANALYZE {Node._meta.db_table}")
    started = step("vacuum", started)
    build_rollups(started)
    sql(f"VACUUM ANALYZE {Rollup._meta.db_table}")
    sql(f"VACUUM ANALYZE {RollupMonth._meta.db_table}")


def user_at(node: Node, role: str, name: str) -> User:
    user, _ = User.objects.get_or_create(username=f"bench-cockpit-{name}")
    RoleBinding.objects.filter(user=user).delete()
    RoleBinding.objects.create(user=user, role=role, node=node)
    return User.objects.get(pk=user.pk)


@contextmanager
def read_path(before: bool):
    """The old read path (bench/cockpit_before.py) in the views and the API while inside, when ``before``."""
    if not before:
        yield
        return
    saved = views.cockpit_figures, api.cockpit_figures
    views.cockpit_figures = api.cockpit_figures = cockpit_before.cockpit_figures
    try:
        yield
    finally:
        views.cockpit_figures, api.cockpit_figures = saved


def profile(client: Client, url: str, *, before: bool = False) -> list[tuple[str, int, float, str]]:
    """The queries of one request: (the table read, how many, total ms, the slowest's SQL head)."""
    settings.DEBUG = True
    reset_queries()
    cache.clear()
    with read_path(before), CaptureQueriesContext(connection) as captured:
        client.get(url)
    settings.DEBUG = False
    parts: dict[str, list] = defaultdict(lambda: [0, 0.0, "", 0.0])
    for q in captured.captured_queries:
        text = q["sql"]
        table = text.split(" FROM ", 1)[1].split()[0].strip('"') if " FROM " in text else text[:30]
        part = parts[table]
        part[0] += 1
        part[1] += float(q["time"]) * 1000
        if float(q["time"]) >= part[3]:
            part[2], part[3] = text[:160], float(q["time"])
    return sorted(((t, p[0], round(p[1], 1), p[2]) for t, p in parts.items()), key=lambda r: -r[2])


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def same_figures(user: User, node: Node, query: str) -> bool:
    """Whether the old and the new read path give the same cockpit (all but the freshness line)."""
    period = period_from(QueryDict(query))
    cache.clear()
    old = cockpit_before.cockpit_figures(fetched_by=user, node=node, period=period)
    new = figures.cockpit_figures(fetched_by=user, node=node, period=period)
    for figures_ in (old, new):
        figures_.pop("refreshed_at")
        for panel in figures_["panels"]:
            # Equal sums added in another order may differ in the last bit: compare the rankings in one order.
            if "ranking" in panel:
                panel["ranking"]["rows"].sort(key=lambda r: (-round(r["value"], 6), r["node"]))
            if panel.get("map"):
                # Places with as many open appeals as each other come in any order, and at the 500th
                # place's count either may be cut: compare the places above that count, in one order.
                cut = panel["map"][-1]["open"] if len(panel["map"]) >= 500 else -1
                panel["map"] = sorted(
                    (r for r in panel["map"] if r["open"] > cut),
                    key=lambda r: (-r["open"], r["name"], r["lat"], r["lng"]),
                )
    return _same(old, new)


def catch_up(events: int, rounds: int) -> dict:
    """``events`` new appeals (each with its filing event) since the last refresh; then ``rounds`` times
    the old refresh and the new one in turn on that same state, each in a transaction rolled back but the
    last new one (which stays, as the every-minute task's would). The city's year figures after each must
    be the same."""
    RollupMark.objects.update_or_create(pk=1, defaults={"refreshed_at": timezone.now()})
    write_appeals(events, days=0.02, open_share=1.0, note="catch-up")
    root = Node.objects.get(code=ROOT)
    year = figures.period_of("year", timezone.localdate())
    # The place rollups' part alone after these events (rolled back): the new and changed places written.
    with transaction.atomic():
        t0 = time.perf_counter()
        written = rollups.places_write(now=timezone.now())
        after_events = {"seconds": round(time.perf_counter() - t0, 2), "rows_written": written}
        transaction.set_rollback(True)
    timings: dict[str, list[float]] = {"before": [], "now": []}
    totals: dict[str, list] = {"before": [], "now": []}
    counted = 0
    for i in range(rounds):
        for path in ("before", "now"):
            keep = path == "now" and i == rounds - 1
            with transaction.atomic():
                saved = rollups._write, rollups.places_write
                if path == "before":
                    # The old refresh: its write of the day rollups, and no place rollups (the map read
                    # the appeals).
                    rollups._write = cockpit_before.write
                    rollups.places_write = lambda *, now: 0
                try:
                    t0 = time.perf_counter()
                    counted = rollups.rollups_refresh(now=timezone.now() + timedelta(seconds=1))
                    timings[path].append(round(time.perf_counter() - t0, 2))
                finally:
                    rollups._write, rollups.places_write = saved
                totals[path].append(figures.rollup_totals(root, year, [*OTHERS, "appeals"]))
                if not keep:
                    transaction.set_rollback(True)
    same = all(_same(t, totals["now"][0]) for t in totals["before"] + totals["now"])
    # The place rollups' part of every refresh when nothing changed since the last (a minute's refresh of a
    # quiet city): the grouped read of the open appeals and of the rows held.
    t0 = time.perf_counter()
    unchanged = rollups.places_write(now=timezone.now() + timedelta(seconds=2))
    places = {"seconds": round(time.perf_counter() - t0, 2), "rows_written": unchanged}
    return {
        "events": events,
        "days_counted": counted,
        "seconds": timings,
        "same_figures": same,
        "places_after_events": after_events,
        "places_unchanged": places,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2, help="old and new catch-up, each this many times")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: use `make bench-cockpit` or set DATABASE_URL.")
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    wall = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # the pages name their hashed static files
    if not (args.keep and Node.objects.filter(code=ROOT).exists()):
        print(f"Building a city at scale {args.scale:g} …", flush=True)
        build(args.scale)
    build_s = time.monotonic() - wall
    root = Node.objects.get(code=ROOT)
    viewer = user_at(root, "district_viewer", "viewer")
    rng = random.Random(7)
    subs = list(Node.objects.filter(path__startswith=root.path, depth=root.depth + 1))
    admins = [
        user_at(sub, "subdistrict_admin", f"admin-{i}")
        for i, sub in enumerate(rng.sample(subs, min(8, len(subs))))
    ]
    year = timezone.localdate() - timedelta(days=1)
    periods = [
        ("default", ""),
        ("a month", f"period=month&on={year:%Y-%m}-15"),
        ("a year", f"period=year&on={year.isoformat()}"),
    ]
    results = []
    load_before = os.getloadavg()
    for who, users in (("city (district viewer)", [viewer]), ("subdistrict (its administrator)", admins)):
        clients = []
        for user in users:
            page = Client()
            page.force_login(user)
            api_client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")
            node = RoleBinding.objects.get(user=user).node
            clients.append((page, api_client, node, user))
        for label, query in periods:
            same = all(same_figures(user, node, query) for _, _, node, user in clients)
            for kind in ("page", "API"):
                # Each sample: one viewer, the old read path and the new one uncached (cache cleared before
                # each), then the new one again as the next viewer of the same cockpit finds it (cached).
                timings: dict[str, list[float]] = {"before": [], "now": [], "now, cached": []}
                statuses = set()

                def fetch(
                    client_set, *, before: bool, clear: bool, kind=kind, query=query, statuses=statuses
                ) -> float:
                    page, api_client, node, _ = client_set
                    if clear:
                        cache.clear()
                    url = (
                        f"/cockpit/{node.pk}/?{query}"
                        if kind == "page"
                        else f"/api/v1/cockpit/nodes/{node.pk}?{query}"
                    )
                    client = page if kind == "page" else api_client
                    with read_path(before):
                        t0 = time.perf_counter()
                        statuses.add(client.get(url).status_code)
                        return (time.perf_counter() - t0) * 1000

                warm = rng.choice(clients)
                fetch(warm, before=True, clear=True)
                fetch(warm, before=False, clear=True)
                for _ in range(args.samples):
                    chosen = rng.choice(clients)
                    timings["before"].append(fetch(chosen, before=True, clear=True))
                    timings["now"].append(fetch(chosen, before=False, clear=True))
                    timings["now, cached"].append(fetch(chosen, before=False, clear=False))
                assert statuses == {200}, statuses
                row = {"who": who, "period": label, "kind": kind, "same_figures": same}
                for path, values in timings.items():
                    row[path] = [percentile(values, 50), percentile(values, 95)]
                results.append(row)
                print(
                    f"  {who}, {label}, {kind}: "
                    + ", ".join(f"{path} p50 {row[path][0]} / p95 {row[path][1]} ms" for path in timings)
                    + f"; same figures: {same}",
                    flush=True,
                )
    page = Client()
    page.force_login(viewer)
    city_year = f"/cockpit/{root.pk}/?period=year&on={year.isoformat()}"
    parts = {"before": profile(page, city_year, before=True), "now": profile(page, city_year)}
    load_after = os.getloadavg()
    refresh = catch_up(args.events, args.rounds)
    load_end = os.getloadavg()
    meta = {
        "scale": args.scale,
        "nodes": Node.objects.filter(path__startswith=root.path).count(),
        # unscoped: the benchmark counts every appeal
        "appeals": Appeal.objects.count(),
        "day_rollups": Rollup.objects.count(),
        "month_rollups": RollupMonth.objects.count(),
        "place_rollups": RollupPlace.objects.count(),
        "build_seconds": round(build_s),
        "load_before": [round(x, 1) for x in load_before],
        "load_after_reads": [round(x, 1) for x in load_after],
        "load_after_catch_up": [round(x, 1) for x in load_end],
        "cores": os.cpu_count(),
        "date": timezone.now().isoformat(timespec="minutes"),
    }
    print()
    print(json.dumps(meta, ensure_ascii=False))
    print()
    print("| cockpit | period | kind | before p50 / p95 | now p50 / p95 | now, cached p50 / p95 | same |")
    print("| --- | --- | --- | ---: | ---: | ---: | --- |")
    for r in results:
        cells = " | ".join(f"{r[k][0]:,} / {r[k][1]:,} ms" for k in ("before", "now", "now, cached"))
        print(
            f"| {r['who']} | {r['period']} | {r['kind']} | {cells} | {'yes' if r['same_figures'] else 'NO'} |"
        )
    for path, rows in parts.items():
        print()
        print(f"One city-year page ({path}), its queries by table: | table | queries | ms | slowest |")
        for table, n, ms, text in rows:
            print(f"| {table} | {n} | {ms} | `{text[:100]}` |")
    print()
    print(
        f"Catch-up: {refresh['events']:,} new appeals with their events → rollups_refresh counted "
        f"{refresh['days_counted']} day(s) again: before {refresh['seconds']['before']} s, "
        f"now {refresh['seconds']['now']} s; same figures: {refresh['same_figures']}. The place rollups alone: "
        f"after the new appeals {refresh['places_after_events']['seconds']} s "
        f"({refresh['places_after_events']['rows_written']:,} rows written), with nothing changed "
        f"{refresh['places_unchanged']['seconds']} s ({refresh['places_unchanged']['rows_written']} rows)"
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "cockpit-latest.json").write_text(
        json.dumps(
            {"meta": meta, "reads": results, "profile": parts, "catch_up": refresh},
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
