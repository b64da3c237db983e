"""Owners' votes at compound size: a compound of 5,000 owned units, 2,000 ballots cast; closing and tallying
(art. 278 by area and by head) timed; then residents' vote requests from 50 concurrent clients (threads,
each with its own database connection) calling the service the vote page and the API call, with p50/p95/p99.

Run on SQLite: `.venv/bin/python bench/deliberation.py`; on PostgreSQL: `bash scripts/pg.sh run
.venv/bin/python bench/deliberation.py`. Options: --units 5000 --ballots 2000 --clients 50 --seconds 10.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault(
    "GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench-deliberation")
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.core.roles import Role  # noqa: E402
from gongzhi.deliberation import services  # noqa: E402
from gongzhi.deliberation.models import Ballot, OwnedUnit, Vote  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402


def setup(units: int, ballots: int) -> tuple[Vote, list[OwnedUnit], User]:
    call_command("migrate", verbosity=0)
    stamp = f"{time.time_ns()}"[-8:]
    district = Node.add_root(code=f"B{stamp}", name=f"基准区{stamp}", kind=NodeKind.DISTRICT)
    sub = district.add_child(code=f"B{stamp}1", name=f"基准街道{stamp}", kind=NodeKind.SUBDISTRICT)
    community = sub.add_child(code=f"B{stamp}11", name=f"基准社区{stamp}", kind=NodeKind.COMMUNITY)
    compound = community.add_child(code=f"B{stamp}111", name=f"基准小区{stamp}", kind=NodeKind.COMPOUND)
    staff = User.objects.create(username=f"bench-staff-{stamp}", password="!")
    RoleBinding.objects.create(user=staff, role=Role.COMMUNITY_STAFF, node=community)
    owners = User.objects.bulk_create(
        User(username=f"bench-owner-{stamp}-{n}", password="!") for n in range(units)
    )
    rng = random.Random(5)
    rows = OwnedUnit.objects.bulk_create(
        OwnedUnit(
            node=compound,
            number=f"{n // 100 + 1}-{n % 100:03d}",
            area=Decimal(rng.choice([68, 75, 89, 96, 110, 128, 143])),
            owner=owners[n],
            owner_name=f"业主{n}",
            # One owner in twenty holds two units.
            owner_key=f"user:{owners[n - 1 if n % 20 == 1 else n].pk}",
        )
        for n in range(units)
    )
    council = services.council_create(actor=staff, node=compound, name="业主大会", notice_days=0)
    topic = services.topic_propose(actor=staff, council=council, title="使用维修资金")
    services.topic_transition(actor=staff, topic=topic, action="accept")
    meeting = services.meeting_schedule(
        actor=staff,
        council=council,
        title="业主大会",
        starts_at=timezone.now() + timedelta(days=1),
        place="广场",
    )
    services.agenda_add(actor=staff, meeting=meeting, topic=topic)
    vote = services.vote_open(
        actor=staff, topic=topic, kind="owners", question="使用维修资金", major=True, compound=compound
    )
    Ballot.objects.bulk_create(
        Ballot(
            vote=vote,
            unit=u,
            choice=rng.choice(["agree"] * 8 + ["disagree", "abstain"]),
            cast_by=staff,
            channel="paper",
        )
        for u in rng.sample(rows, ballots)
    )
    return vote, rows, staff


def clients(vote: Vote, units: list[OwnedUnit], n_clients: int, seconds: float) -> list[float]:
    owners = {u.owner_id: u for u in units}
    users = list(User.objects.filter(pk__in=list(owners)))
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    start = threading.Barrier(n_clients)

    def run(k: int) -> None:
        rng = random.Random(k)
        mine: list[float] = []
        start.wait()
        try:
            while time.monotonic() < stop:
                user = users[rng.randrange(len(users))]
                t = time.perf_counter()
                services.ballot_cast(
                    actor=user, vote=vote, choice=rng.choice(["agree", "disagree"]), unit=owners[user.pk]
                )
                mine.append(time.perf_counter() - t)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    vote, units, staff = setup(args.units, args.ballots)
    print(
        f"database: {connection.vendor}; {args.units} units, {args.ballots} ballots, {args.clients} clients"
    )
    latencies = clients(vote, units, args.clients, args.seconds)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"ballots cast: {len(latencies)} in {args.seconds:.0f} s ({len(latencies) / args.seconds:.0f}/s); "
        f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
    )
    counted = Ballot.objects.filter(vote=vote).count()
    t = time.perf_counter()
    vote = services.vote_close(actor=staff, vote=vote)
    took = time.perf_counter() - t
    r = vote.result
    print(
        f"close and tally: {took * 1000:.0f} ms for {counted} ballots over {r['units']} units; "
        f"participation {r['voted_area']}/{r['total_area']} m², {r['voted_owners']}/{r['total_owners']} owners; "
        f"approved={r['approved']}"
    )
    if counted > args.units:
        sys.exit("more ballots than units")


if __name__ == "__main__":
    main()
