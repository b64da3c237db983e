"""Appeal intake under load: 50 residents filing through the JSON API against gunicorn, on PostgreSQL
holding the appeals benchmark's 1,000,000 appeals (run bench/appeals.py --keep first; `make
bench-submit` does both). Each request goes through the whole intake: auth, scoping, the triage
suggestion (a trained model is active), the SLA deadline, the insert and its event, and queueing the
duplicate check.

Options: --users 50 --seconds 60 --workers 2 --threads 1.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
os.environ.setdefault("GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench"))

import django

django.setup()

from django.db import connection  # noqa: E402

from gongzhi.accounts.models import RoleBinding, User  # noqa: E402
from gongzhi.accounts.services import api_token_issue  # noqa: E402
from gongzhi.appeals.models import Appeal  # noqa: E402
from gongzhi.core.roles import Role  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402
from gongzhi.triage.services import triage_model_train  # noqa: E402
from gongzhi.triage.training import seed_examples  # noqa: E402

HERE = Path(__file__).resolve().parent
PORT = 8799


def residents(count: int) -> list[dict[str, object]]:
    root = Node.objects.get(code="BENCHA")
    compounds = list(
        Node.objects.filter(path__startswith=root.path, kind=NodeKind.COMPOUND).values_list("pk", "path")[
            :5000
        ]
    )
    out = []
    for i in range(count):
        pk, _path = compounds[(i * 97) % len(compounds)]
        user, _ = User.objects.get_or_create(username=f"bench-resident-{i}")
        RoleBinding.objects.filter(user=user).delete()
        RoleBinding.objects.create(user=user, role=Role.RESIDENT, node_id=pk)
        out.append({"token": api_token_issue(user=user), "node": pk})
    return out


def wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback server
            return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="above 1: gunicorn's gthread workers")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not Node.objects.filter(code="BENCHA").exists():
        sys.exit("Run bench/appeals.py --keep first on the same PostgreSQL (make bench-submit).")
    triage_model_train(use_confirmed=False)
    before = Appeal.objects.count()
    with tempfile.TemporaryDirectory() as tmp:
        clients = Path(tmp) / "clients.json"
        clients.write_text(
            json.dumps(
                {
                    "residents": residents(args.users),
                    "texts": [(e.subject, e.detail) for e in seed_examples()],
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        env = {**os.environ, "GONGZHI_BENCH_CLIENTS": str(clients)}
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "gongzhi.wsgi:application",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
                # Server-side time of each request in microseconds, to tell server from client delays.
                "--access-logfile",
                str(Path(tmp) / "access.log"),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
            ],
            env=env,
        )
        try:
            wait_ready(f"http://127.0.0.1:{PORT}/api/v1/openapi.json")
            subprocess.run(  # noqa: S603
                [
                    str(Path(sys.executable).with_name("locust")),
                    "-f",
                    str(HERE / "locustfile_submit.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.users),
                    "--run-time",
                    f"{args.seconds}s",
                    "--host",
                    f"http://127.0.0.1:{PORT}",
                    "--csv",
                    str(Path(tmp) / "stats"),
                    "--only-summary",
                ],
                env=env,
                check=False,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        with (Path(tmp) / "stats_stats.csv").open(encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "POST /api/v1/appeals")
        served = sorted(
            int(line.split()[3]) / 1000
            for line in (Path(tmp) / "access.log").read_text().splitlines()
            if line.startswith("POST /api/v1/appeals ")
        )
    filed = Appeal.objects.count() - before
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "appeals_filed": filed,
        "requests_per_s": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "server_p50_ms": round(served[len(served) // 2], 1),
        "server_p95_ms": round(served[int(len(served) * 0.95)], 1),
        "server_p99_ms": round(served[int(len(served) * 0.99)], 1),
        "appeals_in_database": Appeal.objects.count(),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "submit-latest.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8"
    )
    for key, value in result.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
