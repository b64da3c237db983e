"""The points mall and check-in under load on PostgreSQL: 50 concurrent clients (25 processes × 2 threads,
each thread with its own database connection) calling the services the API calls.

1. Orders: 2,000 buyers with points order from 40 items in stock (throughput), then for 5 seconds from
   10 items of 30 pieces each (contention: they sell out). Reported: orders per second, latency, and the
   proof: no item sold beyond its stock, stock + pieces ordered = stock put on the shelf, no balance
   below zero, the ledger reconciles.
2. Check-in: volunteers scan the rotating code of 400 activities in progress (walk-ins: sign-up and
   check-in in one call), first flat out (the saturation figure: latency = clients ÷ throughput), then
   paced like people arriving (each client waits 0.5–1.5 s between scans, about 50 scans a second).
   Reported: p50/p95/p99 latency of a scan.

Run with `make bench-points` (starts a throw-away PostgreSQL). Options: --seconds 20 --processes 25
--threads 2 (50 clients; processes rather than threads, as gunicorn runs sync workers).
"""

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault(
    "GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench-points")
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.core.roles import Role  # noqa: E402
from gongzhi.ledger.mall import MallError, item_create, order_place  # noqa: E402
from gongzhi.ledger.models import AccountKind, MallItem, MallOrder, PointsAccount  # noqa: E402
from gongzhi.ledger.services import account_for, points_post, points_reconcile  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402
from gongzhi.volunteering import checkin  # noqa: E402
from gongzhi.volunteering.models import Activity, Signup  # noqa: E402
from gongzhi.volunteering.services import VolunteeringError, attendance_scan  # noqa: E402

BUYERS = 2000
ITEMS = 40
STOCK = 100_000  # throughput phase: nothing sells out
SCARCE = 10
SCARCE_STOCK = 30  # contention phase: 300 pieces for 50 clients, sold out within seconds
ACTIVITIES = 400


def setup() -> dict[str, list[int]]:
    if connection.vendor != "postgresql":
        sys.exit("Run under scripts/pg.sh (needs PostgreSQL).")
    call_command("migrate", verbosity=0)
    root = Node.add_root(code="BENCHP", name="积分基准区", kind=NodeKind.DISTRICT)
    sub = root.add_child(code="BENCHP-S", name="积分基准街道", kind=NodeKind.SUBDISTRICT)
    community = sub.add_child(code="BENCHP-C", name="积分基准社区", kind=NodeKind.COMMUNITY)
    compound = community.add_child(code="BENCHP-X", name="积分基准小区", kind=NodeKind.COMPOUND)
    admin = User.objects.create(username="bench-points-admin")
    RoleBinding.objects.create(user=admin, role=Role.SUBDISTRICT_ADMIN, node=sub)
    buyers = User.objects.bulk_create(User(username=f"bench-buyer-{n}", password="!") for n in range(BUYERS))
    RoleBinding.objects.bulk_create(RoleBinding(user=u, role=Role.RESIDENT, node=compound) for u in buyers)
    issuance = account_for(kind=AccountKind.ISSUANCE, subdistrict=sub)
    for u in buyers:
        person = account_for(kind=AccountKind.PERSON, subdistrict=sub, user=u)
        points_post(key=f"bench-seed-{u.pk}", kind="earn", postings=[(issuance, -500), (person, 500)])
    items = [
        item_create(actor=admin, node=sub, name=f"商品{n}", price=10 + n % 5, stock=STOCK, limit_per_person=3)
        for n in range(ITEMS)
    ]
    scarce = [
        item_create(actor=admin, node=sub, name=f"爆款{n}", price=20, stock=SCARCE_STOCK, limit_per_person=1)
        for n in range(SCARCE)
    ]
    now = timezone.now()
    activities = Activity.objects.bulk_create(
        Activity(
            node=compound,
            organiser=admin,
            title=f"值守{n}",
            starts_at=now - timedelta(minutes=10),
            ends_at=now + timedelta(hours=3),
            capacity=1000,
        )
        for n in range(ACTIVITIES)
    )
    return {
        "buyers": [u.pk for u in buyers],
        "items": [i.pk for i in items],
        "scarce": [i.pk for i in scarce],
        "activities": [a.pk for a in activities],
    }


def _clients(threads, seconds, body):
    """Run ``body(n, ready, stop)`` in ``threads`` threads (each with its own connection); ``ready()`` marks
    the end of a client's loading, after which the timed window of ``seconds`` starts; ``stop()`` says
    whether it is over. Returns every (latency ms, outcome) the clients measured."""
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    deadline = [0.0]

    def run(n):
        mine = body(n, barrier.wait, lambda: time.monotonic() >= deadline[0])
        with lock:
            results.extend(mine)
        connection.close()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    deadline[0] = time.monotonic() + seconds
    barrier.wait()
    for t in pool:
        t.join()
    return results


def _timed(service, **kwargs):
    started = time.perf_counter()
    try:
        service(**kwargs)
        outcome = "ok"
    except (MallError, VolunteeringError) as exc:
        outcome = exc.code
    return (time.perf_counter() - started) * 1000, outcome


def _scarce_orders(ids, seconds, threads, seed, out):
    _orders({**ids, "items": ids["scarce"]}, seconds, threads, seed + 100, out)


def _orders(ids, seconds, threads, seed, out):
    connections.close_all()
    all_users = {u.pk: u for u in User.objects.filter(pk__in=ids["buyers"])}
    items = {
        i.pk: i for i in MallItem.objects.select_related("subdistrict", "node").filter(pk__in=ids["items"])
    }
    connection.close()

    def body(n, ready, stop):
        rng = random.Random(seed * 1000 + n)
        users = [all_users[pk] for pk in rng.sample(ids["buyers"], 200)]
        ready()
        mine, k = [], 0
        while not stop():
            k += 1
            user, item = rng.choice(users), items[rng.choice(ids["items"])]
            mine.append(_timed(order_place, actor=user, item=item, client_key=f"{seed}-{n}-{k}"))
        return mine

    out.put(_clients(threads, seconds, body))


def _scans(ids, seconds, threads, seed, out, think=(0.0, 0.0)):
    connections.close_all()
    activities = list(Activity.objects.filter(pk__in=ids["activities"]).order_by("pk"))
    mine_ids = ids["buyers"][seed * threads : (seed + 1) * threads]
    users = {u.pk: u for u in User.objects.filter(pk__in=mine_ids)}
    assert len(users) == threads, "not enough residents for this many clients"
    connection.close()

    def body(n, ready, stop):
        rng = random.Random(seed * 1000 + n)
        user = users[mine_ids[n]]
        ready()
        mine = []
        for activity in activities:
            if stop():
                break
            mine.append(
                _timed(attendance_scan, actor=user, activity=activity, token=checkin.token_for(activity.pk))
            )
            if think[1]:
                time.sleep(rng.uniform(*think))
        return mine

    out.put(_clients(threads, seconds, body))


def _paced_scans(ids, seconds, threads, seed, out):
    # Volunteers arriving at a realistic pace: each scans, then waits 0.5–1.5 s (about 50 scans a second).
    _scans(ids, seconds, threads, seed + 100, out, think=(0.5, 1.5))


def run(target, ids, seconds, processes, threads):
    connections.close_all()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    workers = [ctx.Process(target=target, args=(ids, seconds, threads, p, out)) for p in range(processes)]
    started = time.monotonic()
    for w in workers:
        w.start()
    results = []
    for _ in workers:
        results.extend(out.get())
    for w in workers:
        w.join()
    return results, time.monotonic() - started


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def report_orders(title, results, seconds, clients):
    ok = [ms for ms, outcome in results if outcome == "ok"]
    outcomes: dict[str, int] = {}
    for _ms, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    latencies = [ms for ms, _o in results]
    print(
        f"{title}: {clients} clients, {len(results)} attempts in {seconds:.0f} s: {len(ok)} placed "
        f"= {len(ok) / seconds:.0f} orders/s ({len(results) / seconds:.0f} attempts/s); outcomes {outcomes}"
    )
    print(
        f"  latency ms p50 {statistics.median(latencies):.1f} p95 {pct(latencies, 0.95):.1f} "
        f"p99 {pct(latencies, 0.99):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=25)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    t0 = time.monotonic()
    ids = setup()
    print(
        f"setup: {BUYERS} buyers, {ITEMS} items × {STOCK}, {ACTIVITIES} activities in {time.monotonic() - t0:.1f} s"
    )
    clients = args.processes * args.threads

    results, _elapsed = run(_orders, ids, args.seconds, args.processes, args.threads)
    report_orders("orders (40 items in stock)", results, args.seconds, clients)
    results, _elapsed = run(_scarce_orders, ids, 5, args.processes, args.threads)
    report_orders(f"orders ({SCARCE} items × {SCARCE_STOCK}, sold out under contention)", results, 5, clients)
    # The proof: nothing oversold, every piece accounted for, books sound.
    oversold = 0
    for item in MallItem.objects.filter(pk__in=ids["items"] + ids["scarce"]):
        shelf = STOCK if item.pk in ids["items"] else SCARCE_STOCK
        sold = MallOrder.objects.filter(item=item).aggregate(n=Sum("quantity"))["n"] or 0
        oversold += max(0, sold - shelf)
        assert item.stock + sold == shelf and item.stock >= 0, (item.pk, item.stock, sold)
    negative = PointsAccount.objects.filter(balance__lt=0).exclude(kind=AccountKind.ISSUANCE).count()
    proof = points_reconcile()
    print(
        f"  oversold pieces: {oversold}; negative balances: {negative}; ledger sound: {proof.sound} "
        f"({proof.accounts} accounts, entries sum {proof.total})"
    )

    results, _elapsed = run(_scans, ids, args.seconds, args.processes, args.threads)
    elapsed = args.seconds
    latencies = [ms for ms, _o in results]
    codes = {}
    for _ms, outcome in results:
        codes[outcome] = codes.get(outcome, 0) + 1
    print(
        f"check-in: {clients} clients, {len(results)} scans in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s); "
        f"outcomes {codes}; latency ms p50 {statistics.median(latencies):.1f} p95 {pct(latencies, 0.95):.1f} "
        f"p99 {pct(latencies, 0.99):.1f}"
    )
    results, _elapsed = run(_paced_scans, ids, args.seconds, args.processes, args.threads)
    latencies = [ms for ms, _o in results]
    print(
        f"check-in, paced (think 0.5–1.5 s): {clients} clients, {len(results)} scans "
        f"({len(results) / args.seconds:.0f}/s); latency ms p50 {statistics.median(latencies):.1f} "
        f"p95 {pct(latencies, 0.95):.1f} p99 {pct(latencies, 0.99):.1f}"
    )
    print(f"  checked in: {Signup.objects.filter(checked_in_at__isnull=False).count()}")


if __name__ == "__main__":
    main()
