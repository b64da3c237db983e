"""Appeal intake under load: 50 residents filing through the JSON API against gunicorn, on PostgreSQL
holding the appeals benchmark's 1,000,000 appeals (run bench/appeals.py --keep first; `make
bench-submit` does both). Each request goes through the whole intake: auth, scoping, the triage
suggestion (a trained model is active), the SLA deadline, the insert and its event, and queueing the
duplicate check.

The load comes from locust (FastHttpUser: each of 50 residents waits 0.5–1.5 s between submissions).
--drivers wrk,locust also runs wrk (C, a few per cent of a core) from a Lua script written for the run, one
after the other against the same server. wrk opens its connection before the think time, so a sync worker
that accepts it waits on an idle socket: with sync workers wrk's figures measure that, not the server (in
production a buffering proxy such as nginx sits in front of sync workers; see docs/benchmarks.md).

Options: --users 50 --seconds 60 --workers 2 --threads 1 --worker-class sync --drivers locust[,wrk].
"""

import argparse
import csv
import json
import os
import shutil
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
from gongzhi.appeals.triage import triage_model_train  # noqa: E402
from gongzhi.core.roles import Role  # noqa: E402
from gongzhi.orgs.models import Node, NodeKind  # noqa: E402
from gongzhi.triage.training import seed_examples  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile  # noqa: E402

HERE = Path(__file__).resolve().parent
PORT = 8799
STEADY_AFTER = 5  # seconds: the opening burst, when all residents send at the same instant


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


WRK_SCRIPT = """
-- Written by bench/submit.py for one run: residents (token, compound) and texts.
local residents = {%(residents)s}
local texts = {%(texts)s}
local counter = 0
local next_thread = 0
function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
end
function init(args)
  math.randomseed(os.time() * 100 + thread_no)
end
function delay()
  return math.random(500, 1500)  -- a resident types, then taps send
end
function request()
  counter = counter + 1
  local me = residents[math.random(#residents)]
  local body = '{"node_id": ' .. me[2] .. ', ' .. texts[math.random(#texts)] .. '}'
  return wrk.format("POST", "/api/v1/appeals", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. me[1],
    ["Idempotency-Key"] = thread_no .. "-" .. counter .. "-" .. math.random(1000000000),
  }, body)
end
function done(summary, latency, requests)
  io.write(string.format("WRK requests=%%d non2xx=%%d errors=%%d p50=%%.1f p95=%%.1f p99=%%.1f\\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_script(clients: dict, path: Path) -> None:
    def fragment(title: str, body: str) -> str:
        encoded = json.dumps({"title": title[:120], "body": body[:5000]}, ensure_ascii=True)[1:-1]
        return "[==[" + encoded + "]==]"

    path.write_text(
        WRK_SCRIPT
        % {
            "residents": ", ".join(f'{{"{r["token"]}", {r["node"]}}}' for r in clients["residents"]),
            "texts": ", ".join(fragment(t, b) for t, b in clients["texts"]),
        },
        encoding="ascii",
    )


def run_wrk(script: Path, users: int, seconds: int) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed (apt-get install wrk; make bench-submit does it).")
    out = subprocess.run(  # noqa: S603
        [
            wrk,
            "-t2",
            f"-c{users}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(out)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    fields = dict(part.split("=") for part in line.split()[1:])
    return {
        "requests": int(fields["requests"]),
        "failures": int(fields["non2xx"]) + int(fields["errors"]),
        "requests_per_s": round(int(fields["requests"]) / seconds, 1),
        "p50_ms": float(fields["p50"]),
        "p95_ms": float(fields["p95"]),
        "p99_ms": float(fields["p99"]),
    }


def run_locust(env: dict[str, str], users: int, seconds: int, tmp: Path) -> dict[str, float]:
    subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(HERE / "locustfile_submit.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(tmp / "stats"),
            "--only-summary",
        ],
        env=env,
        check=False,
    )
    with (tmp / "stats_stats.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "POST /api/v1/appeals")
    # The same run without its first STEADY_AFTER seconds, when all residents send at once.
    times = [tuple(map(float, line.split())) for line in (tmp / "times.txt").read_text().splitlines()]
    start = min(at for at, _ms in times)
    steady = [ms for at, ms in times if at - start >= STEADY_AFTER]
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "requests_per_s": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        f"after_{STEADY_AFTER}s_p95_ms": percentile(steady, 95),
        f"after_{STEADY_AFTER}s_p99_ms": percentile(steady, 99),
        f"after_{STEADY_AFTER}s_max_ms": round(max(steady), 1),
    }


def server_times(access_log: Path, skip: int) -> tuple[list[float], int]:
    lines = access_log.read_text().splitlines() if access_log.exists() else []
    served = sorted(
        int(line.split()[3]) / 1000 for line in lines[skip:] if line.startswith("POST /api/v1/appeals ")
    )
    return served, len(lines)


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
    parser.add_argument(
        "--worker-class",
        default="sync",
        help="gthread keeps idle keep-alive connections off the workers (needed with wrk, which connects "
        "before its think time; a sync worker would wait on that idle connection)",
    )
    parser.add_argument("--drivers", default="locust", help="wrk, locust, or both in turn: wrk,locust")
    args = parser.parse_args()
    drivers = [d.strip() for d in args.drivers.split(",") if d.strip()]
    if not drivers or set(drivers) - {"wrk", "locust"}:
        sys.exit("--drivers takes wrk and/or locust")
    if connection.vendor != "postgresql" or not Node.objects.filter(code="BENCHA").exists():
        sys.exit("Run bench/appeals.py --keep first on the same PostgreSQL (make bench-submit).")
    triage_model_train(use_confirmed=False)
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        clients = {
            "residents": residents(args.users),
            "texts": [(e.subject, e.detail) for e in seed_examples()],
        }
        (tmp / "clients.json").write_text(json.dumps(clients, ensure_ascii=False), encoding="utf-8")
        wrk_script(clients, tmp / "submit.lua")
        env = {
            **os.environ,
            "GONGZHI_BENCH_CLIENTS": str(tmp / "clients.json"),
            "GONGZHI_BENCH_TIMES": str(tmp / "times.txt"),
        }
        access_log = tmp / "access.log"
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
                "--worker-class",
                "gthread" if args.threads > 1 else args.worker_class,
                "--log-level",
                "warning",
                # Server-side time of each request in microseconds, to tell server from client delays.
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
            ],
            env=env,
        )
        try:
            wait_ready(f"http://127.0.0.1:{PORT}/api/v1/openapi.json")
            for driver in drivers:
                _served, seen = server_times(access_log, 0)
                before = Appeal.objects.count()
                started = time.monotonic()
                if driver == "wrk":
                    client = run_wrk(tmp / "submit.lua", args.users, args.seconds)
                else:
                    client = run_locust(env, args.users, args.seconds, tmp)
                time.sleep(1)  # the access log is written after each response
                served, _seen = server_times(access_log, seen)
                results.append(
                    {
                        "driver": driver,
                        "users": args.users,
                        "seconds": args.seconds,
                        "gunicorn_workers": args.workers,
                        "gunicorn_threads": args.threads,
                        "worker_class": "gthread" if args.threads > 1 else args.worker_class,
                        **client,
                        "appeals_filed": Appeal.objects.count() - before,
                        "server_p50_ms": percentile(served, 50),
                        "server_p95_ms": percentile(served, 95),
                        "server_p99_ms": percentile(served, 99),
                        "wall_s": round(time.monotonic() - started, 1),
                    }
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "submit-latest.json").write_text(
        json.dumps({"runs": results, "appeals_in_database": Appeal.objects.count()}, indent=2) + "\n",
        encoding="utf-8",
    )
    for result in results:
        print(" ".join(f"{key}={value}" for key, value in result.items()))


if __name__ == "__main__":
    main()
