"""Appeals at district scale: 1,000,000 appeals over a year in 50 sub-districts, on PostgreSQL.

Measures the work queue (count + first page) for commissioners, community staff and subdistrict admins,
one SLA sweep over all open appeals (then the same sweep again, as ten minutes later, and one as if the
task queue had been down for --backlog-hours, rolled back), and the KPI endpoint for a subdistrict over a
year. Run with `make bench-appeals`. Options: --appeals N --subdistricts N --samples N --keep
--backlog-hours H.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault("GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.accounts.services import api_token_issue  # noqa: E402
from gongzhi.appeals.models import Appeal, Status, Tier  # noqa: E402
from gongzhi.appeals.selectors import appeal_queue  # noqa: E402
from gongzhi.appeals.services import appeals_sla_sweep  # noqa: E402
from gongzhi.demo.world import Tree  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_users, percentile  # noqa: E402

STATUSES = (
    [Status.CLOSED] * 860
    + [Status.RESOLVED] * 20
    + [Status.SUBMITTED] * 40
    + [Status.ACCEPTED] * 40
    + [Status.ASSIGNED] * 40
)
TIERS = [Tier.COMPOUND] * 70 + [Tier.COMMUNITY] * 22 + [Tier.SUBDISTRICT] * 8


COLUMNS = (
    "node_id, handling_node_id, tier, status, version, title, body, channel, hidden_from_neighbours, client_key, "
    "transferred_to, created_at, accept_due, resolve_due, accepted_at, first_accepted_at, resolved_at, "
    "resolved_tier, reply, proposed_reply, reopened_count, rating, rating_comment, open_data"
)


def appeal_row(i: int, compound: Node, comm: Node, sub: Node, rng: random.Random, now) -> tuple:
    """One appeal of a year's mix (mostly closed, a tenth open) at ``compound``, in ``COLUMNS`` order."""
    status = rng.choice(STATUSES)
    tier = rng.choice(TIERS)
    handling = {Tier.COMPOUND: compound, Tier.COMMUNITY: comm, Tier.SUBDISTRICT: sub}[tier]
    open_ = status in (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED)
    created = now - timedelta(days=rng.uniform(0, 2) if open_ else rng.uniform(2, 365))
    accepted = created + timedelta(hours=rng.uniform(1, 20)) if status != Status.SUBMITTED else None
    resolved = accepted + timedelta(hours=rng.uniform(4, 200)) if not open_ else None
    # Open appeals are mostly inside their deadlines; about 0.3% are overdue for the sweep to find.
    late = open_ and rng.random() < 0.003
    if open_:
        due = now - timedelta(hours=1) if late else now + timedelta(hours=rng.uniform(6, 120))
        if status == Status.SUBMITTED:
            accept_due, resolve_due = due, None
        else:
            accept_due, resolve_due = created + timedelta(days=1), due
    else:
        accept_due, resolve_due = created + timedelta(days=1), accepted + timedelta(days=7)
    rating = (
        rng.choice(["satisfied"] * 7 + ["basically_satisfied", "dissatisfied", "not_rated"])
        if status == Status.CLOSED
        else ""
    )
    return (
        compound.pk,
        handling.pk,
        tier,
        status,
        1,
        f"诉求{i}",
        "楼道照明、噪音、停车等问题",
        "web",
        False,
        "",
        "",
        created,
        accept_due,
        resolve_due,
        accepted,
        accepted,
        resolved,
        tier if resolved else "",
        "已处理" if resolved else "",
        "",
        0,
        rating,
        "",
        False,  # open_data: the filer's consent to publish, which has no database default
    )


def build(subdistricts: int, appeals: int, rng: random.Random) -> None:
    started = time.monotonic()
    tree = Tree()
    root = tree.add(None, code="BENCHA", name="基准区", kind=NodeKind.DISTRICT)
    layout = []  # (compound, community, subdistrict)
    for s in range(subdistricts):
        sub = tree.add(root, code=f"A{s:03d}", name=f"街道{s}", kind=NodeKind.SUBDISTRICT)
        for c in range(20):
            comm = tree.add(sub, code=f"{sub.code}{c:02d}", name=f"社区{s}-{c}", kind=NodeKind.COMMUNITY)
            for k in range(10):
                compound = tree.add(
                    comm, code=f"{comm.code}{k:02d}", name=f"小区{s}-{c}-{k}", kind=NodeKind.COMPOUND
                )
                layout.append((compound, comm, sub))
    tree.save()
    print(f"  {len(tree.nodes):,} nodes in {time.monotonic() - started:.0f} s", flush=True)
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY {Appeal._meta.db_table} ({COLUMNS}) FROM STDIN") as copy,
    ):
        for i in range(appeals):
            compound, comm, sub = rng.choice(layout)
            copy.write_row(appeal_row(i, compound, comm, sub, rng, now))
            if i and i % 250_000 == 0:
                print(f"  {i:,} appeals …", flush=True)
    # The appeals above were written by COPY, without events: the KPI day tallies take them in here.
    from gongzhi.appeals.tallies import tallies_rebuild

    print(f"  {tallies_rebuild():,} appeal day tallies", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Appeal._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Node._meta.db_table}")
    print(f"  {appeals:,} appeals in {time.monotonic() - started:.0f} s total", flush=True)


def staff(kind: str, role: str, count: int, rng: random.Random) -> list[User]:
    return bench_users(root_code="BENCHA", kind=kind, role=role, count=count, rng=rng, prefix="bench-appeals")


def queue_case(label: str, users: list[User], samples: int, rng: random.Random) -> dict:
    for user in users:  # warm-up
        list(Paginator(appeal_queue(fetched_by=User.objects.get(pk=user.pk)), 30).get_page(1))
    timings = []
    for _ in range(samples):
        user = User.objects.get(pk=rng.choice(users).pk)
        t0 = time.perf_counter()
        page = Paginator(appeal_queue(fetched_by=user), 30).get_page(1)
        rows = [(a.title, a.node.name, a.accept_due) for a in page]
        timings.append((time.perf_counter() - t0) * 1000)
        assert page.paginator.count >= len(rows)
    example = appeal_queue(fetched_by=users[0]).count()
    return {
        "case": label,
        "open_in_queue_example": example,
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
    }


class _RolledBack(Exception):
    pass


def backlog_sweep(hours: float) -> tuple[dict[str, int], float]:
    """A sweep as if it had not run for ``hours``: every appeal that fell due meanwhile is escalated at once.
    Run in a transaction that is rolled back, so the kept cluster stays as it was."""
    result: dict[str, int] = {}
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            result = appeals_sla_sweep(now=timezone.now() + timedelta(hours=hours))
            elapsed = time.perf_counter() - t0
            raise _RolledBack
    except _RolledBack:
        pass
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--subdistricts", type=int, default=50)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--backlog-hours",
        type=float,
        default=8,
        help="also time a sweep that many hours ahead, as after the task queue was down (rolled back)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: use `make bench-appeals` or set DATABASE_URL.")
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    rng = random.Random(11)
    call_command("migrate", verbosity=0)
    if not (args.keep and Node.objects.filter(code="BENCHA").exists()):
        print(f"Building {args.subdistricts} sub-districts with {args.appeals:,} appeals …", flush=True)
        build(args.subdistricts, args.appeals, rng)
    results = [
        queue_case(
            "commissioner (1 compound)", staff(NodeKind.COMPOUND, "commissioner", 40, rng), args.samples, rng
        ),
        queue_case(
            "community staff (1 community)",
            staff(NodeKind.COMMUNITY, "community_staff", 40, rng),
            args.samples,
            rng,
        ),
        queue_case(
            "subdistrict admin (1 subdistrict)",
            staff(NodeKind.SUBDISTRICT, "subdistrict_admin", 20, rng),
            args.samples,
            rng,
        ),
    ]
    open_count = Appeal.objects.filter(
        status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED]
    ).count()
    t0 = time.perf_counter()
    sweep = appeals_sla_sweep()
    sweep_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    repeat = appeals_sla_sweep()  # ten minutes later, in steady state: nothing new to do
    repeat_s = time.perf_counter() - t0
    backlog, backlog_s = backlog_sweep(args.backlog_hours)
    admin = staff(NodeKind.SUBDISTRICT, "subdistrict_admin", 1, rng)[0]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=admin)}")
    node = RoleBinding.objects.get(user=admin).node_id
    kpi_ms = []
    for i in range(21):
        t0 = time.perf_counter()
        response = client.get(f"/api/v1/appeals/kpis?node={node}&group_by=node")
        if i:  # the first request warms up
            kpi_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:200]
    collected = response.json()["total"]["collected"]
    meta = {"appeals": Appeal.objects.count(), "open": open_count, "machine": f"{os.cpu_count()} cores"}
    print()
    print(f"{meta['appeals']:,} appeals ({open_count:,} open) on PostgreSQL")
    print()
    print("| case | open in queue | p50 | p95 |")
    print("| --- | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| work queue: {r['case']} | {r['open_in_queue_example']:,} | {r['p50_ms']} ms | {r['p95_ms']} ms |"
        )
    print(
        f"| SLA sweep over {open_count:,} open appeals ({sweep['escalated']} escalated, {sweep['reminded']} reminders)"
        f" | | {sweep_s:.2f} s | |"
    )
    print(
        f"| the same sweep again ({repeat['escalated']} escalated, {repeat['reminded']} reminders) | | "
        f"{repeat_s:.2f} s | |"
    )
    print(
        f"| sweep {args.backlog_hours:g} h late ({backlog['escalated']:,} escalated, {backlog['reminded']} "
        f"reminders; rolled back) | | {backlog_s:.2f} s | |"
    )
    print(
        f"| KPI endpoint, one subdistrict, a year ({collected:,} appeals), by community | | "
        f"{percentile(kpi_ms, 50)} ms | {percentile(kpi_ms, 95)} ms |"
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "appeals-latest.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "queue": results,
                "sweep_seconds": round(sweep_s, 2),
                "sweep": sweep,
                "repeat_sweep_seconds": round(repeat_s, 2),
                "backlog_hours": args.backlog_hours,
                "backlog_sweep_seconds": round(backlog_s, 2),
                "backlog_sweep": backlog,
                "kpi_p50_ms": percentile(kpi_ms, 50),
                "kpi_p95_ms": percentile(kpi_ms, 95),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
