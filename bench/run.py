"""District-scale benchmark: scoped listing of residents at 1,000,000 residents in 50+ sub-districts.

Run with `make bench` (starts a throw-away PostgreSQL and sets DATABASE_URL). Prints a Markdown table and
writes bench/results/latest.json. Options: --residents N --subdistricts N --samples N --keep (reuse data).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault("GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from gongzhi.accounts.models import Person, User  # noqa: E402
from gongzhi.accounts.selectors import person_list  # noqa: E402
from gongzhi.accounts.services import api_token_issue  # noqa: E402
from gongzhi.core import pii  # noqa: E402
from gongzhi.demo.world import Tree  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_users, percentile  # noqa: E402

COMMUNITIES_PER_SUBDISTRICT = 20
COMPOUNDS_PER_COMMUNITY = 10
BUILDINGS_PER_COMPOUND = 10


def build(subdistricts: int, residents: int, rng: random.Random) -> None:
    started = time.monotonic()
    tree = Tree()
    root = tree.add(None, code="BENCH", name="基准区", kind=NodeKind.DISTRICT)
    for s in range(subdistricts):
        sub = tree.add(root, code=f"B{s:03d}", name=f"街道{s}", kind=NodeKind.SUBDISTRICT)
        for c in range(COMMUNITIES_PER_SUBDISTRICT):
            comm = tree.add(sub, code=f"{sub.code}{c:02d}", name=f"社区{s}-{c}", kind=NodeKind.COMMUNITY)
            for k in range(COMPOUNDS_PER_COMMUNITY):
                cmp_ = tree.add(
                    comm, code=f"{comm.code}{k:02d}", name=f"小区{s}-{c}-{k}", kind=NodeKind.COMPOUND
                )
                for b in range(BUILDINGS_PER_COMPOUND):
                    tree.add(cmp_, code=f"{cmp_.code}{b:02d}", name=f"{b + 1}幢", kind=NodeKind.BUILDING)
    tree.save()
    buildings = list(
        Node.objects.filter(path__startswith=root.path, kind=NodeKind.BUILDING).values_list("id", flat=True)
    )
    print(f"  {len(tree.nodes):,} nodes in {time.monotonic() - started:.0f} s", flush=True)
    # Residents go in with COPY; rows are shuffled across buildings as a real register grows over time.
    table = Person._meta.db_table
    columns = "node_id, name, gender, birth_year, room, phone_cipher, phone_index, id_index, created_at"
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for i in range(residents):
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            copy.write_row(
                (
                    rng.choice(buildings),
                    f"居民{i}",
                    rng.choice("FM"),
                    rng.randint(1935, 2015),
                    f"{rng.randint(1, 18)}0{rng.randint(1, 4)}",
                    pii.encrypt(phone, context="phone"),
                    pii.blind_index(phone, context="phone"),
                    "",
                    "2026-01-01T00:00:00+08:00",
                )
            )
            if i and i % 200_000 == 0:
                print(f"  {i:,} residents …", flush=True)
    with connection.cursor() as cursor:
        # Steady state, as autovacuum leaves a live system: statistics and the visibility map up to date.
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"VACUUM ANALYZE {Node._meta.db_table}")
    print(f"  {residents:,} residents in {time.monotonic() - started:.0f} s total", flush=True)


def users_for(kind: str, role: str, count: int, rng: random.Random) -> list[User]:
    return bench_users(root_code="BENCH", kind=kind, role=role, count=count, rng=rng, prefix="bench")


def measure(label: str, users: list[User], samples: int, rng: random.Random, explain: bool = False) -> dict:
    """Time the residents list a user opens: count + first page of 50, and the same through the JSON API."""
    selector_ms, api_ms = [], []
    client = Client()
    tokens = {u.pk: api_token_issue(user=u) for u in users}
    for user in users:  # warm-up: steady state, as on a server that has been serving these users
        list(Paginator(person_list(fetched_by=User.objects.get(pk=user.pk)), 50).get_page(1))
        client.get("/api/v1/people?limit=50", HTTP_AUTHORIZATION=f"Bearer {tokens[user.pk]}")
    for i in range(samples):
        user = User.objects.get(pk=rng.choice(users).pk)  # fresh object: bindings loaded as in a request
        page_number = 1 if i % 2 == 0 else rng.randint(2, 10)
        t0 = time.perf_counter()
        page = Paginator(person_list(fetched_by=user), 50).get_page(page_number)
        rows = [(p.name, p.node.name, p.phone_masked) for p in page]
        selector_ms.append((time.perf_counter() - t0) * 1000)
        if explain and selector_ms[-1] == max(selector_ms):
            slowest = (user.pk, page_number)
        assert rows, label
        t0 = time.perf_counter()
        response = client.get(
            f"/api/v1/people?limit=50&offset={(page_number - 1) * 50}",
            HTTP_AUTHORIZATION=f"Bearer {tokens[user.pk]}",
        )
        api_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    if explain:
        user = User.objects.get(pk=slowest[0])
        qs = person_list(fetched_by=user)
        print(f"--- slowest sample of {label} (page {slowest[1]}): count, then page")
        print(qs.order_by().explain(analyze=True))
        print(qs[(slowest[1] - 1) * 50 : slowest[1] * 50].explain(analyze=True))
    return {
        "case": label,
        "samples": samples,
        "visible_rows_example": person_list(fetched_by=users[0]).count(),
        "selector_p50_ms": round(statistics.median(selector_ms), 1),
        "selector_p95_ms": round(percentile(selector_ms, 95), 1),
        "api_p50_ms": round(statistics.median(api_ms), 1),
        "api_p95_ms": round(percentile(api_ms, 95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--subdistricts", type=int, default=50)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse data already loaded")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the listing")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: use `make bench` or set DATABASE_URL.")
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    rng = random.Random(7)
    call_command("migrate", verbosity=0)
    if not (args.keep and Node.objects.filter(code="BENCH").exists()):
        print(f"Building {args.subdistricts} sub-districts with {args.residents:,} residents …", flush=True)
        build(args.subdistricts, args.residents, rng)
    if args.explain:
        for kind, role in (
            (NodeKind.COMMUNITY, "community_staff"),
            (NodeKind.SUBDISTRICT, "subdistrict_admin"),
        ):
            user = users_for(kind, role, 1, rng)[0]
            qs = person_list(fetched_by=User.objects.get(pk=user.pk))
            sql, params = qs.order_by().values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) AS rows_in_reach", params)  # noqa: S608
                print(f"--- {role}: count\n" + "\n".join(row[0] for row in cursor.fetchall()))
            print(f"--- {role}: first page\n" + qs[:50].explain(analyze=True))
    results = [
        measure(
            "community staff (1 community)",
            users_for(NodeKind.COMMUNITY, "community_staff", 40, rng),
            args.samples,
            rng,
            args.explain,
        ),
        measure(
            "subdistrict admin (1 subdistrict)",
            users_for(NodeKind.SUBDISTRICT, "subdistrict_admin", 20, rng),
            args.samples,
            rng,
            args.explain,
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(",")[0]
    meta = {
        "residents": Person.objects.count(),
        "nodes": Node.objects.count(),
        "subdistricts": Node.objects.filter(kind=NodeKind.SUBDISTRICT).count(),
        "database": pg_version,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    print()
    print(
        f"{meta['residents']:,} residents, {meta['nodes']:,} nodes, {meta['subdistricts']} sub-districts; "
        f"{meta['database']}; {meta['machine']}"
    )
    print()
    print("| case | rows in reach | selector p50 | selector p95 | API p50 | API p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['case']} | {r['visible_rows_example']:,} | {r['selector_p50_ms']} ms | {r['selector_p95_ms']} ms "
            f"| {r['api_p50_ms']} ms | {r['api_p95_ms']} ms |"
        )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
