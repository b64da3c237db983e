"""Floors before and after a change, in one run on the same data: each appeals hot request's own SELECTs
(the floor of `make bench-sqlite`), captured from two versions of the code on two copies of one database
(the old schema and the migrated one), then run bare on one connection each, alternately, round after round,
so that both see the same load on a shared machine.

    # once per version: its code on PYTHONPATH, its copy of the data as GONGZHI_DATA_DIR
    PYTHONPATH=<old>/src GONGZHI_DATA_DIR=<old data> python bench/sqlite_floors.py capture old.json
    PYTHONPATH=$PWD/src GONGZHI_DATA_DIR=<new data> python bench/sqlite_floors.py capture new.json
    python bench/sqlite_floors.py compare old.json <old data>/gongzhi.sqlite3 new.json <new data>/gongzhi.sqlite3
"""

import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The connection settings of gongzhi.settings.base (a kept gunicorn worker's connection).
PRAGMAS = "PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"


def capture(out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from sqlite import ROLES

    from gongzhi.accounts.models import User
    from gongzhi.appeals.hot_queries import HOT_REQUESTS
    from gongzhi.appeals.selectors import appeal_list, appeal_queue

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    clients = {}
    for role, name in ROLES.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=name))

    def first(role: str, path: str) -> int:
        body = clients[role].get(path).json()
        return int((body["items"] if isinstance(body, dict) else body)[0]["id"])

    from gongzhi.appeals.hot_queries import list_middle_cursor

    cases = {}
    for hot in HOT_REQUESTS:
        user = User.objects.get(username=ROLES[hot.role])
        values = {
            "own_appeal": lambda: first("resident", "/api/v1/appeals?limit=1"),
            "appeal": lambda r=hot.role: first(r, "/api/v1/appeals?limit=1"),
            "assigned_appeal": lambda: first("property_manager", "/api/v1/appeals/assigned?limit=1"),
            "queue_middle": lambda u=user: appeal_queue(fetched_by=u).count() // 2,
            "list_middle": lambda u=user: appeal_list(fetched_by=u).count() // 2,
            "list_middle_cursor": lambda u=user: list_middle_cursor(appeal_list(fetched_by=u)),
        }
        path = hot.path
        for key, value in values.items():
            if "{" + key + "}" in path:
                path = path.replace("{" + key + "}", str(value()))
        with CaptureQueriesContext(connection) as captured:
            response = clients[hot.role].get(path)
        assert response.status_code == 200, (hot, response.status_code)
        selects = [
            q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
        ]
        cases[f"{hot.role} · {hot.name}"] = {"path": path, "selects": selects}
    Path(out).write_text(json.dumps(cases, ensure_ascii=False, indent=1))
    print(f"{len(cases)} requests captured to {out}")


def compare(before: str, before_db: str, after: str, after_db: str, rounds: int) -> None:
    forms = {}
    for label, path, db in (("before", before, before_db), ("after", after, after_db)):
        conn = sqlite3.connect(db)
        conn.executescript(PRAGMAS)
        forms[label] = (json.loads(Path(path).read_text()), conn)
    names = [n for n in forms["before"][0] if n in forms["after"][0]]
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name in names:
            for label in ("before", "after"):  # alternately, so that both see the same moment's load
                cases, conn = forms[label]
                t0 = time.perf_counter()
                for sql in cases[name]["selects"]:
                    conn.execute(sql).fetchall()
                times.setdefault((name, label), []).append((time.perf_counter() - t0) * 1000)
    print(f"load average {os.getloadavg()[0]:.1f}; median of {rounds} rounds; ms")
    print("| request | before | after | after / before |")
    print("| --- | ---: | ---: | ---: |")
    for name in names:
        b = statistics.median(times[(name, "before")])
        a = statistics.median(times[(name, "after")])
        print(f"| {name} | {b:.2f} | {a:.2f} | {a / b:.2f} |")


if __name__ == "__main__":
    if sys.argv[1] == "capture":
        capture(sys.argv[2])
    else:
        compare(*sys.argv[2:6], rounds=int(sys.argv[6]) if len(sys.argv) > 6 else 30)
