"""Background work survives consumers killed with SIGKILL (issue 24).

Real ``gongzhi run_huey`` processes, a local fake SMS gateway, periods of seconds
(``tests/background/settings.py``). On PostgreSQL (``DATABASE_URL``, as ``scripts/pg.sh`` sets it) the queue
is a Redis server this test starts and two consumers run, both with a scheduler; otherwise the SQLite
default with one consumer. A consumer is killed in the middle of the SLA sweep and, later, in the middle
of deliveries, and started again. Then: the sweep runs again within one period; every queued text
message reaches the gateway exactly once; every appeal gets its duplicate check; each periodic task is
queued once per period; no task result is stored; no log line is printed twice.

Run with ``-s`` to see the figures.
"""

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest

from tests.background import periods

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PERIOD = periods.SWEEP
OVERDUE = 150
TEXTS = 120
APPEALS = 40
SHANGHAI = ZoneInfo("Asia/Shanghai")
GATEWAY_DELAY = 0.1  # seconds between taking a message and answering: a kill lands in between


class Gateway(ThreadingHTTPServer):
    """A fake SMS gateway: takes a message once per idempotency key, counts every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.lock = threading.Lock()
        self.requests = 0
        self.in_flight = 0
        self.by_key: Counter[str] = Counter()
        self.by_text: Counter[tuple[str, str]] = Counter()  # delivered messages
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/send"

    def delivered(self) -> int:
        with self.lock:
            return sum(self.by_text.values())


class _GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key", "")
        gateway = self.server
        with gateway.lock:
            gateway.requests += 1
            gateway.in_flight += 1
            gateway.by_key[key] += 1
            if not key or gateway.by_key[key] == 1:
                gateway.by_text[(body["phone"], body["message"])] += 1
        time.sleep(GATEWAY_DELAY)
        with gateway.lock:
            gateway.in_flight -= 1
        try:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the sender was killed while it waited

    def log_message(self, *args: Any) -> None:
        pass


class Site:
    """The processes of one deployment: database, queue, consumers."""

    def __init__(self, tmp: Path, gateway: Gateway) -> None:
        self.tmp = tmp
        self.postgres = os.environ.get("DATABASE_URL", "")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.background.settings",
            "PYTHONPATH": str(ROOT),
            "GONGZHI_DATA_DIR": str(tmp / "data"),
            "GONGZHI_SMS_URL": gateway.url,
        }
        self.redis: subprocess.Popen[bytes] | None = None
        self.consumers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self.starts: list[int] = []
        self.kills: list[tuple[int, float]] = []  # (consumer, when)
        self.admin_url = ""
        if self.postgres:
            import psycopg

            name = f"gongzhi_kill_{uuid.uuid4().hex[:8]}"
            self.admin_url = self.postgres
            with psycopg.connect(self.postgres, autocommit=True) as db:
                db.execute(f'CREATE DATABASE "{name}"')
            self.env["DATABASE_URL"] = urlunsplit(urlsplit(self.postgres)._replace(path=f"/{name}"))
            self.dbname = name
            self.env["REDIS_URL"] = self._start_redis()
        else:
            self.env.pop("DATABASE_URL", None)
            self.env.pop("REDIS_URL", None)

    def _start_redis(self) -> str:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        sock = self.tmp / "redis.sock"
        self.redis = subprocess.Popen(
            [server, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(sock.exists, 10, "redis")
        return f"unix://{sock}"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "gongzhi"), *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def seed(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.background.seed", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start_consumer(self, n: int) -> None:
        if n == len(self.logs):
            self.logs.append(self.tmp / f"consumer{n}.log")
            self.starts.append(0)
        self.starts[n] += 1
        log = open(self.logs[n], "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen(
            [str(BIN / "gongzhi"), "run_huey", "--workers", "2", "--max-delay", "0.5"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if n == len(self.consumers):
            self.consumers.append(process)
        else:
            self.consumers[n] = process

    def wait_started(self, n: int) -> None:
        """Until consumer ``n``'s latest process has said in the log that it started."""
        wait_for(
            lambda: self.logs[n].read_bytes().count(b"Huey consumer started") >= self.starts[n],
            60,
            "a consumer",
        )

    def restart(self, n: int) -> None:
        self.kill(n)
        self.start_consumer(n)

    def kill(self, n: int) -> None:
        self.kills.append((n, time.time()))
        self.consumers[n].send_signal(signal.SIGKILL)
        self.consumers[n].wait()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as db:
                return db.execute(sql).fetchall()
        with sqlite3.connect(self.tmp / "data" / "gongzhi.sqlite3", timeout=10) as db:
            return db.execute(sql).fetchall()

    def one(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def no_scheduler(self) -> list[tuple[float, float]]:
        """The spans when no consumer ran a scheduler: each consumer is down from a kill until its successor
        said it started; with two consumers, a restart slow under load can overlap the other's kill."""

        def down(n: int) -> list[tuple[float, float]]:
            starts = [
                at(stamp)
                for stamp in re.findall(
                    r"\[([^\]]+)\] INFO:huey\.consumer:\d+:Huey consumer started",
                    self.logs[n].read_text(errors="replace"),
                )
            ]
            return [(kill, min(t for t in starts if t > kill)) for m, kill in self.kills if m == n]

        spans = down(0)
        for n in range(1, len(self.consumers)):
            spans = [(max(a, c), min(b, d)) for a, b in spans for c, d in down(n) if max(a, c) < min(b, d)]
        return spans

    def log_text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs)

    def stored_results(self) -> int:
        if self.postgres:
            import redis

            return int(redis.Redis.from_url(self.env["REDIS_URL"]).hlen("huey.results.gongzhi"))
        with sqlite3.connect(self.tmp / "data" / "huey.sqlite3", timeout=10) as db:
            return int(db.execute("SELECT count(*) FROM kv").fetchone()[0])

    def close(self) -> None:
        for process in self.consumers:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait()
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


def wait_for(predicate: Any, seconds: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what} after {seconds} s")


def at(stamp: str) -> float:
    """The time of a log line's stamp (the site's time zone, Asia/Shanghai)."""
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=SHANGHAI).timestamp()


def moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def test_killed_consumers_lose_nothing_and_send_nothing_twice(tmp_path: Path) -> None:
    gateway = Gateway()
    site = Site(tmp_path, gateway)
    try:
        _run(site, gateway)
    finally:
        site.close()
        gateway.shutdown()


def _run(site: Site, gateway: Gateway) -> None:
    figures: dict[str, Any] = {"database": "PostgreSQL + Redis" if site.postgres else "SQLite"}
    site.manage("migrate", "-v0")
    world = site.seed("world", str(OVERDUE))
    out, err = world.communicate(timeout=120)
    assert world.returncode == 0, err[-3000:]
    count = 2 if site.postgres else 1
    figures["consumers"] = count
    for n in range(count):
        site.start_consumer(n)
    for n in range(count):
        site.wait_started(n)
    begun = time.time()

    # 1. Killed in the middle of the duplicate checks of the appeals just filed.
    def checked() -> int:
        return int(site.one("SELECT count(*) FROM appeals_appeal WHERE duplicates_checked_at IS NOT NULL"))

    wait_for(lambda: checked() >= 10, 60, "duplicate checks to begin", every=0.01)
    at_kill = checked()
    figures["checks: appeals checked when a consumer was killed"] = f"{at_kill} of {OVERDUE}"
    site.restart(0)  # not waited for: the sweep may begin on the other consumer meanwhile

    # 2. Killed in the middle of the sweep: the consumer holding its lease dies before the sweep ends,
    # after some appeals were escalated.
    def sweeping() -> str:
        rows = site.query("SELECT holder, last_succeeded_at FROM core_job WHERE name = 'appeals-sla-sweep'")
        assert not rows or rows[0][1] is None, "the sweep ended before it could be killed"
        escalated = site.one("SELECT count(*) FROM appeals_appealevent WHERE action = 'escalate'")
        live = {str(process.pid) for process in site.consumers if process.poll() is None}
        holder = rows[0][0] if rows else ""
        # (a consumer killed before may still be named until its lease runs out)
        return holder if escalated >= 10 and holder and holder.split(":")[1] in live else ""

    holder = wait_for(sweeping, 90, "the first sweep", every=0.01)
    pid = int(holder.split(":")[1])
    (victim,) = [n for n, process in enumerate(site.consumers) if process.pid == pid]
    killed_at = time.time()
    site.kill(victim)
    assert site.one("SELECT last_succeeded_at FROM core_job WHERE name = 'appeals-sla-sweep'") is None
    escalated = site.one("SELECT count(*) FROM appeals_appealevent WHERE action = 'escalate'")
    figures["sweep: appeals escalated when its consumer was killed"] = f"{escalated} of {OVERDUE}"
    site.start_consumer(victim)
    site.wait_started(victim)
    ready_at = time.time()
    succeeded = wait_for(
        lambda: site.one("SELECT last_succeeded_at FROM core_job WHERE name = 'appeals-sla-sweep'"),
        PERIOD * 3 + 10,
        "the sweep after the restart",
    )
    started = moment(site.one("SELECT last_started_at FROM core_job WHERE name = 'appeals-sla-sweep'"))
    figures["sweep: seconds from kill to the restarted consumer ready"] = round(ready_at - killed_at, 1)
    figures["sweep: seconds from ready to the next sweep's start"] = round(started.timestamp() - ready_at, 1)
    figures["sweep: seconds from the kill to the next sweep's start"] = round(
        started.timestamp() - killed_at, 1
    )
    assert started.timestamp() - ready_at <= PERIOD + 2, "the sweep did not run within one period"
    assert moment(succeeded).timestamp() > killed_at
    assert (
        site.one("SELECT count(*) FROM appeals_appeal WHERE tier = 'compound' AND status = 'submitted'") == 0
    )

    # 2. Killed in the middle of deliveries (and of duplicate checks being filed meanwhile).
    work = site.seed("work", str(TEXTS), str(APPEALS))
    wait_for(lambda: gateway.delivered() >= TEXTS // 4, 120, "deliveries to begin")
    with gateway.lock:
        figures["delivery: gateway requests unanswered at the kill"] = gateway.in_flight
    site.kill(0)
    figures["delivery: delivered before the kill"] = gateway.delivered()
    site.start_consumer(0)
    site.wait_started(0)
    out, err = work.communicate(timeout=180)
    assert work.returncode == 0, err[-3000:]
    filed = json.loads(out.strip().splitlines()[-1])

    def settled() -> bool:
        unsent = site.one("SELECT count(*) FROM notifications_notification WHERE delivery <> 'sent'")
        unchecked = site.one("SELECT count(*) FROM appeals_appeal WHERE duplicates_checked_at IS NULL")
        return unsent == 0 and unchecked == 0

    wait_for(settled, 90, "every message sent and every appeal checked", every=0.5)
    ended = time.time()

    # The figures, and the proof.
    texts = site.one("SELECT count(*) FROM notifications_notification WHERE channel = 'sms'")
    appeals_found = site.one("SELECT count(*) FROM appeals_appeal")
    with gateway.lock:
        repeats = sum(n - 1 for n in gateway.by_key.values() if n > 1)
        twice = sum(1 for n in gateway.by_text.values() if n > 1)
        delivered = sum(gateway.by_text.values())
        requests = gateway.requests
    log = site.log_text()
    # The periods of the sweep begun while consumers ran, and the period each queueing of it was for, as the
    # scheduler names it (the log line's own time may fall in the next period on a loaded machine).
    periods = set(range(int(begun // PERIOD), int(ended // PERIOD) + 1))
    queued_for = [
        int(datetime.fromisoformat(slot).timestamp() // PERIOD)
        for slot in re.findall(
            r"INFO:huey\.consumer\.Scheduler:\d+:Enqueueing periodic task "
            r"gongzhi\.appeals\.tasks\.sla_sweep: [^\n]*? for the period from (\S+?)\.$",
            log,
            re.MULTILINE,
        )
    ]
    queueings = [
        line
        for line in log.splitlines()
        if "Enqueueing periodic task gongzhi.appeals.tasks.sla_sweep" in line
    ]
    assert len(queued_for) == len(queueings), queueings[:2]
    sweeps_queued = len(queued_for)
    sweeps_run = len(re.findall(r"SLA sweep: \{", log))
    executions = Counter(re.findall(r"Executing (\S+: [0-9a-f-]{36})", log))
    figures.update(
        {
            "appeals filed (overdue + during deliveries)": OVERDUE + filed["appeals_filed"],
            "appeals acknowledged": OVERDUE + filed["appeals_acknowledged"],
            "appeals found": appeals_found,
            "appeals with their duplicate check": site.one(
                "SELECT count(*) FROM appeals_appeal WHERE duplicates_checked_at IS NOT NULL"
            ),
            "duplicate checks queued again by the reconciler (lost, or still waiting)": sum(
                int(n) for n in re.findall(r"queued (\d+) duplicate checks again", log)
            ),
            "notifications queued (SMS)": filed["texts_queued"],
            "notifications sent (distinct messages at the gateway)": delivered,
            "notifications sent twice": twice,
            "gateway requests": requests,
            "repeated keys dropped by the gateway (sends interrupted by a kill)": repeats,
            "SMS attempts recorded in the database": site.one(
                "SELECT sum(attempts) FROM notifications_notification WHERE channel = 'sms'"
            ),
            "sweep periods begun while consumers ran": len(periods),
            "sweeps queued": sweeps_queued,
            "sweeps run to the end": sweeps_run,
            "sweeps skipped (lease held)": log.count("unable to acquire lock appeals-sla-sweep"),
            "task results stored": site.stored_results(),
            "log lines printed twice": sum(n - 1 for n in executions.values() if n > 1),
            "wall seconds": round(ended - begun, 1),
        }
    )
    down = {
        p
        for p in periods
        for since, until in site.no_scheduler()
        if p * PERIOD < until + 1 and since < (p + 1) * PERIOD
    }
    figures["sweep periods when no consumer ran (restarts overlapping)"] = len(down)
    print("\n" + "\n".join(f"{key}: {value}" for key, value in figures.items()))

    assert filed["texts_queued"] == TEXTS == texts
    assert delivered == TEXTS and twice == 0
    assert set(gateway.by_key) == {k for k in gateway.by_key if k}, "every request carried a key"
    assert len(gateway.by_key) == TEXTS
    assert appeals_found == OVERDUE + APPEALS == OVERDUE + filed["appeals_acknowledged"]
    # One scheduler: each period of the sweep queued once, however many consumers; none missed (but the
    # last, if it began as the run ended, and those while no consumer was running). A sweep queued but
    # not run to the end was killed (each of the three kills takes at most one), or found the previous
    # one still running (a backlog behind the duplicate checks).
    assert len(queued_for) == len(set(queued_for)), "a period was queued twice"
    assert periods - set(queued_for) <= {max(periods)} | down
    assert sweeps_run + figures["sweeps skipped (lease held)"] + 3 >= sweeps_queued
    assert figures["task results stored"] == 0
    assert figures["log lines printed twice"] == 0
