"""Owners' votes at compound size: a compound of 5,000 owned units, 2,000 paper ballots entered; residents'
vote requests (the API's ballot call: the vote and the unit fetched in the owner's scope, then
`ballot_cast`, a replace-or-insert) from 50 concurrent clients (25 processes x 2 threads, each thread with
its own connection, as gunicorn runs sync workers), first flat out (the saturation figure: latency =
clients / throughput), then paced like owners voting (each client waits 0.5-1.5 s between votes); then
closing and tallying (art. 278 by area and by head), timed. One client alone first gives the floor.

The resident's whole request is measured too: the vote page's POST as a browser sends it (a form, not
multipart) through every middleware (session, user, CSRF, messages, CSP) and the view, from one client and
from 50 (``--http``: flat out and paced), each client signed in as owners of its own, in a sitting whose
SMS code was checked.

Run with `make bench-deliberation` (PostgreSQL); on SQLite: `.venv/bin/python bench/deliberation.py`.
Options: --units 5000 --ballots 2000 --processes 25 --threads 2 --seconds 10; --only-http (the page
requests only: one client, 50 flat out, 50 paced, then closing).
Before and after in one run, on one PostgreSQL cluster: `bash bench/compare.sh REV deliberation` runs this
script against this checkout's code and REV's, alternately (new, old, new, old, new).
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
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault(
    "GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench-deliberation")
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.core.roles import Role  # noqa: E402
from gongzhi.deliberation import selectors, services  # noqa: E402
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
    # Each owner is a resident of the compound (the vote is offered where they belong).
    RoleBinding.objects.bulk_create(RoleBinding(user=o, role=Role.RESIDENT, node=compound) for o in owners)
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


def _request(user: User, vote_id: int, unit_id: int, choice: str) -> None:
    """What the vote page's ballot does in a sitting whose SMS code was checked: one statement finds the
    owner's unit and its compound's open vote and writes the ballot (``owner_ballot_upsert``)."""
    if not services.owner_ballot_upsert(actor=user, vote_pk=vote_id, unit_pk=unit_id, choice=choice):
        raise RuntimeError("ballot not written")


def _request_two_reads(user: User, vote_id: int, unit_id: int, choice: str) -> None:
    """The previous owner's path: what a ballot request did once the owner has confirmed the SMS code (the vote page asks once a
    sitting): the owner's unit and its compound's vote read by primary key, then cast."""
    vote, unit = selectors.owner_ballot_target(fetched_by=user, vote_pk=vote_id, unit_pk=unit_id)
    services.ballot_cast(actor=user, vote=vote, choice=choice, unit=unit, verified=True)


def _request_scoped(user: User, vote_id: int, unit_id: int, choice: str) -> None:
    """The same ballot with the vote and the unit fetched through the scoped selectors (the general path,
    and the only one before the owner's path): for the before/after ratio in one run."""
    vote = selectors.vote_get(fetched_by=user, pk=vote_id)
    unit = selectors.unit_get(fetched_by=user, pk=unit_id)
    services.ballot_cast(actor=user, vote=vote, choice=choice, unit=unit, verified=True)


def _signed_in(user: User, vote_pk: int) -> Any:
    """A browser of ``user`` in a sitting whose SMS code for the vote was checked."""
    from django.test import Client

    from gongzhi.deliberation.views import _owner_pass_key

    client = Client()
    client.force_login(user)
    session = client.session
    session[_owner_pass_key(vote_pk)] = time.time()
    session.save()
    return client


def _page_post(client: Any, vote_id: int, unit_id: int, choice: str) -> None:
    """The vote page's POST as a browser sends the form (urlencoded), through every middleware; the
    message cookie is read by the page the browser is sent back to, so it is not carried on here."""
    response = client.post(
        f"/deliberation/votes/{vote_id}/",
        urlencode({"unit": unit_id, "choice": choice}),
        content_type="application/x-www-form-urlencoded",
    )
    client.cookies.pop("messages", None)
    if response.status_code != 302:
        raise RuntimeError(f"ballot page answered {response.status_code}")


def _worker(ids, seconds, threads, seed, think, out, start, http=False) -> None:
    """One process (like one gunicorn worker) with ``threads`` clients, each with its own connection."""
    connections.close_all()
    vote_id, owner_ids, unit_of = ids
    mine_ids = owner_ids[seed * 40 : (seed + 1) * 40]
    users = list(User.objects.filter(pk__in=mine_ids))
    browsers = {u.pk: _signed_in(u, vote_id) for u in users} if http else {}
    connection.close()
    latencies: list[float] = []
    lock = threading.Lock()

    def run(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        mine: list[float] = []
        # Every client of every process starts together, once all have signed in: no process measures
        # while others are still setting up.
        start.wait(timeout=600)
        stop = time.monotonic() + seconds
        try:
            while time.monotonic() < stop:
                # Each thread its own half of the process's owners: one browser is not used by two at once.
                user = users[k + threads * rng.randrange(len(users) // threads)]
                choice = rng.choice(["agree", "disagree"])
                t = time.perf_counter()
                if http:
                    _page_post(browsers[user.pk], vote_id, unit_of[user.pk], choice)
                else:
                    _request(user, vote_id, unit_of[user.pk], choice)
                mine.append(time.perf_counter() - t)
                if think[1]:
                    time.sleep(rng.uniform(*think))
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(latencies)


def clients(
    ids, processes: int, threads: int, seconds: float, think=(0.0, 0.0), http: bool = False
) -> list[float]:
    connections.close_all()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start = ctx.Barrier(processes * threads)
    workers = [
        ctx.Process(target=_worker, args=(ids, seconds, threads, p, think, out, start, http))
        for p in range(processes)
    ]
    for w in workers:
        w.start()
    latencies: list[float] = []
    for _ in workers:
        latencies.extend(out.get())
    for w in workers:
        w.join()
    return latencies


def one_client(ids, n: int, request=_request) -> tuple[list[float], int]:
    """The floor: one client alone, and the queries one request makes."""
    vote_id, owner_ids, unit_of = ids
    users = list(User.objects.filter(pk__in=owner_ids[:n]))
    latencies = []
    for user in users:
        t = time.perf_counter()
        request(user, vote_id, unit_of[user.pk], "agree")
        latencies.append(time.perf_counter() - t)
    with CaptureQueriesContext(connection) as queries:
        request(users[0], vote_id, unit_of[users[0].pk], "disagree")
    return latencies, len(queries)


def page_floor(ids, vote_pk: int, n: int = 200) -> None:
    """The whole request, one client: the vote page's POST through every middleware (session, user,
    CSRF, messages) in a sitting whose code was checked, as a browser sends it."""
    _vote_id, owner_ids, unit_of = ids
    clients = [
        (_signed_in(user, vote_pk), unit_of[user.pk]) for user in User.objects.filter(pk__in=owner_ids[:50])
    ]
    for client, unit in clients[:10]:  # warm: the URL resolver, the templates' loaders, translations
        _page_post(client, vote_pk, unit, "agree")
    latencies = []
    for i in range(n):
        client, unit = clients[i % len(clients)]
        t = time.perf_counter()
        _page_post(client, vote_pk, unit, "agree")
        latencies.append(time.perf_counter() - t)
    with CaptureQueriesContext(connection) as queries:
        _page_post(clients[0][0], vote_pk, clients[0][1], "abstain")
    report(
        f"one client, the whole page request (middleware, session, ballot), {len(queries)} queries", latencies
    )


def report(title: str, latencies: list[float], seconds: float | None = None) -> None:
    q = statistics.quantiles(latencies, n=100)
    rate = f" ({len(latencies) / seconds:.0f}/s)" if seconds else ""
    print(
        f"{title}: {len(latencies)} requests{rate}; "
        f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=25)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--only-http", action="store_true", help="the page requests only")
    args = parser.parse_args()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    vote, units, staff = setup(args.units, args.ballots)
    owner_ids = [u.owner_id for u in units]
    ids = (vote.pk, owner_ids, {u.owner_id: u.pk for u in units})
    clients_n = args.processes * args.threads
    print(
        f"database: {connection.vendor}; {args.units} units, {args.ballots} ballots, {clients_n} clients; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if not args.only_http:
        for title, request in (
            ("scoped reads (first)", _request_scoped),
            ("owner's two reads + cast (last session)", _request_two_reads),
            ("one statement (now)", _request),
        ):
            floor, queries = one_client(ids, 200, request)
            report(f"one client alone, {title}, {queries} queries a request", floor)
    page_floor(ids, vote.pk)
    steps = [(False, "the ballot service")] if not args.only_http else []
    for http, what in [*steps, (True, "the whole page request")]:
        report(
            f"{clients_n} clients flat out ({args.processes} processes x {args.threads} threads), {what}",
            clients(ids, args.processes, args.threads, args.seconds, http=http),
            args.seconds,
        )
        report(
            f"{clients_n} clients paced (each waits 0.5-1.5 s between votes), {what}",
            clients(ids, args.processes, args.threads, args.seconds, think=(0.5, 1.5), http=http),
            args.seconds,
        )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
