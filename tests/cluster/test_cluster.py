"""The multi-server deployment of docs/deploy.md, started and attacked: PostgreSQL (``DATABASE_URL``, as
``scripts/pg.sh`` sets it), a Redis server, two app servers (gunicorn, two workers each) on their own
ports and two Huey workers on Redis, with a local fake SMS gateway (``make cluster-test``).

A person signs in on one app server and acts on the other (a session in the browser's way, and an API
token). Residents file appeals and order from the points mall through both servers while the
commissioner accepts each appeal (a text message to the resident); meanwhile ``kill -9`` hits a Huey
worker and a whole app server (its gunicorn master and workers) mid-load, twice, and each is started
again. A client whose request got no answer sends it again, with the same client key, to the other
server. Then: every acknowledged appeal and order exists exactly once, every queued text message reached
the gateway exactly once (one per dedupe key), and the nightly proof of the points ledger is sound.

Run with ``-s`` to see the figures (docs/benchmarks.md keeps them).
"""

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.accounts.factories import PASSWORD
from tests.background.test_kill import Gateway, wait_for

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL: make cluster-test"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESIDENTS = 8
ROUNDS = 30  # appeals each resident files; every third round also an order
KILLS_AT = (0.3, 0.65)  # share of the appeals acknowledged when each round of kills comes
Failure = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Answer:
    def __init__(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    def json(self) -> Any:
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                found[key] = rest.split(";", 1)[0]
        return found


def call(
    port: int,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    form: dict[str, Any] | None = None,
    token: str = "",
    cookies: dict[str, str] | None = None,
    timeout: float = 30,
) -> Answer:
    headers = {}
    body: bytes | None = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(), response.getheaders())
    finally:
        connection.close()


class Cluster:
    """The processes of the deployment; each app server and worker can be killed and started again."""

    def __init__(self, tmp: Path, gateway: Gateway) -> None:
        import psycopg

        self.tmp = tmp
        self.admin_url = os.environ["DATABASE_URL"]
        self.dbname = f"gongzhi_cluster_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{self.dbname}"')
        sock = tmp / "redis.sock"
        self.redis = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(sock.exists, 10, "redis")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.background.settings",
            "PYTHONPATH": str(ROOT),
            "GONGZHI_DATA_DIR": str(tmp / "data"),
            "GONGZHI_SECRET_KEY": uuid.uuid4().hex * 2,
            "GONGZHI_SMS_URL": gateway.url,
            "DATABASE_URL": urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{self.dbname}")),
            "REDIS_URL": f"unix://{sock}",
        }
        self.ports = [free_port(), free_port()]
        self.servers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.kills: list[str] = []

    def run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(args, env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        # its own process group: kill -9 reaches the gunicorn master and its workers at once
        process = subprocess.Popen(
            args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return process

    def start_server(self, n: int) -> None:
        self.servers[n] = self._spawn(
            f"server{n}",
            [
                str(BIN / "gunicorn"),
                "gongzhi.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.ports[n]}",
                "--workers",
                "2",
                "--timeout",
                "60",
            ],
        )

    def wait_server(self, n: int) -> None:
        def healthy() -> bool:
            try:
                return call(self.ports[n], "GET", "/healthz", timeout=5).status == 200
            except Failure:
                return False

        wait_for(healthy, 90, f"app server {n}", every=0.2)

    def start_worker(self, n: int) -> None:
        self.workers[n] = self._spawn(
            f"worker{n}", [str(BIN / "gongzhi"), "run_huey", "--workers", "2", "--max-delay", "0.5"]
        )

    def kill(self, what: str, n: int) -> None:
        process = (self.servers if what == "server" else self.workers)[n]
        assert process is not None and process.poll() is None, f"{what} {n} was not running"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.kills.append(f"{what}{n}")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as db:
            return db.execute(sql).fetchall()

    def one(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        import psycopg

        for process in [*self.servers, *self.workers]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.redis.terminate()
        self.redis.wait()
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


class Load:
    """What the clients sent and what they were told."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.lock = threading.Lock()
        self.requests = 0
        self.unanswered = 0  # connection refused or cut: the server was killed
        self.server_errors: list[str] = []
        self.appeals: dict[str, tuple[int, int]] = {}  # client key -> (status, id)
        self.orders: dict[tuple[str, str], tuple[int, int]] = {}  # (buyer, client key) -> (status, id)
        self.accepted: dict[int, int] = {}  # appeal id -> status of the accept that answered
        self.to_accept: queue.Queue[int | None] = queue.Queue()

    def send(self, first: int, method: str, path: str, **options: Any) -> Answer:
        """Send to app server ``first``; without an answer, the same request again to the other, and so on."""
        for attempt in range(60):
            port = self.cluster.ports[(first + attempt) % 2]
            with self.lock:
                self.requests += 1
            try:
                answer = call(port, method, path, **options)
            except Failure:
                with self.lock:
                    self.unanswered += 1
                time.sleep(0.1)
                continue
            if answer.status >= 500:
                with self.lock:
                    self.server_errors.append(f"{method} {path}: {answer.status}")
            return answer
        raise AssertionError(f"no app server answered {method} {path}")

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.appeals)


def token_on(port: int, username: str) -> str:
    answer = call(port, "POST", "/api/v1/auth/token", json_body={"username": username, "password": PASSWORD})
    assert answer.status == 200, answer.body
    return str(answer.json()["token"])


def resident(load: Load, n: int, token: str, world: dict[str, Any]) -> None:
    name = world["residents"][n]
    for j in range(ROUNDS):
        key = f"cluster-{n}-{j}"
        answer = load.send(
            (n + j) % 2,
            "POST",
            "/api/v1/appeals",
            token=token,
            json_body={
                "node_id": world["building"],
                "title": f"电梯故障{n}-{j}",
                "body": f"{n}号住户：{j}楼电梯门关不上，按钮没有反应。",
                "client_key": key,
            },
        )
        assert answer.status in (200, 201), answer.body
        with load.lock:
            load.appeals[key] = (answer.status, int(answer.json()["id"]))
        load.to_accept.put(int(answer.json()["id"]))
        if j % 3 == 0:
            answer = load.send(
                (n + j + 1) % 2,
                "POST",
                "/api/v1/mall/orders",
                token=token,
                json_body={"item_id": world["item"], "quantity": 1, "client_key": f"order-{j}"},
            )
            assert answer.status in (200, 201), answer.body
            with load.lock:
                load.orders[(name, f"order-{j}")] = (answer.status, int(answer.json()["id"]))


def commissioner(load: Load, token: str) -> None:
    """Accepts every appeal filed, on the server it did not sign in on (the other when that one is down)."""
    while (appeal := load.to_accept.get()) is not None:
        answer = load.send(
            1, "POST", f"/api/v1/appeals/{appeal}/transitions", token=token, json_body={"action": "accept"}
        )
        with load.lock:
            load.accepted[appeal] = answer.status


def sign_in_here_act_there(cluster: Cluster, world: dict[str, Any]) -> dict[str, Any]:
    """A browser's session from app server 0 files an appeal through the form of app server 1."""
    there, here = cluster.ports
    form = call(there, "GET", "/accounts/login/")
    cookies = form.cookies()
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    assert csrf is not None
    signed_in = call(
        there,
        "POST",
        "/accounts/login/",
        cookies=cookies,
        form={
            "csrfmiddlewaretoken": csrf.group(1).decode(),
            "username": world["residents"][0],
            "password": PASSWORD,
        },
    )
    assert signed_in.status == 302, signed_in.body[-2000:]
    cookies.update(signed_in.cookies())
    assert "sessionid" in cookies
    page = call(here, "GET", "/appeals/new/", cookies=cookies)
    assert page.status == 200, page.status
    cookies.update(page.cookies())
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert csrf is not None
    filed = call(
        here,
        "POST",
        "/appeals/new/",
        cookies=cookies,
        form={
            "csrfmiddlewaretoken": csrf.group(1).decode(),
            "title": "单元门禁坏了",
            "body": "门禁刷卡没有反应，外人随便进出。",
            "node": world["building"],
            "client_key": "cluster-web",
            "file_anyway": "on",
        },
    )
    assert filed.status == 302, filed.body[-3000:]
    location = dict((k.lower(), v) for k, v in filed.headers)["location"]
    assert re.fullmatch(r"/appeals/\d+/", location), location
    detail = call(here, "GET", location, cookies=cookies)
    assert detail.status == 200 and "单元门禁坏了" in detail.body.decode()
    return {"web session: signed in on server 0, filed through server 1's form": location}


def test_the_cluster_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    gateway = Gateway()
    cluster = Cluster(tmp_path, gateway)
    try:
        _run(cluster, gateway)
    finally:
        cluster.close()
        gateway.shutdown()


def _run(cluster: Cluster, gateway: Gateway) -> None:
    figures: dict[str, Any] = {}
    begun = time.monotonic()
    cluster.run(str(BIN / "gongzhi"), "migrate", "-v0")
    cluster.run(str(BIN / "gongzhi"), "collectstatic", "--noinput", "-v0")
    world = json.loads(cluster.run(sys.executable, "-m", "tests.cluster.seed", "world", str(RESIDENTS)))
    for n in (0, 1):
        cluster.start_server(n)
        cluster.start_worker(n)
    for n in (0, 1):
        cluster.wait_server(n)
    figures["seconds to start (migrate, static files, seed, servers)"] = round(time.monotonic() - begun, 1)
    figures.update(sign_in_here_act_there(cluster, world))

    load = Load(cluster)
    # Everyone signs in on app server 0; the commissioner works on app server 1 with that token.
    tokens = [token_on(cluster.ports[0], name) for name in world["residents"]]
    boss = token_on(cluster.ports[0], "cluster-commissioner")
    started = time.monotonic()
    clients = [threading.Thread(target=resident, args=(load, n, tokens[n], world)) for n in range(RESIDENTS)]
    accepting = threading.Thread(target=commissioner, args=(load, boss))
    for thread in [*clients, accepting]:
        thread.start()

    total = RESIDENTS * ROUNDS
    for round_, share in enumerate(KILLS_AT):
        wait_for(lambda share=share: load.acknowledged() >= total * share, 300, "the load", every=0.02)
        victim = round_ % 2
        # and at a moment a text message is on its way (if one comes within five seconds)
        deadline = time.monotonic() + 5
        while gateway.in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        with gateway.lock:
            figures[f"kill {round_ + 1}: text messages in flight at the gateway"] = gateway.in_flight
        cluster.kill("worker", victim)
        cluster.kill("server", victim)
        figures[
            f"kill {round_ + 1}: appeals acknowledged when worker {victim} and app server {victim} died"
        ] = load.acknowledged()
        time.sleep(1)
        cluster.start_worker(victim)
        cluster.start_server(victim)
        down = time.monotonic()
        cluster.wait_server(victim)
        figures[f"kill {round_ + 1}: seconds until app server {victim} answered again"] = round(
            time.monotonic() - down + 1, 1
        )
    for thread in clients:
        thread.join(timeout=600)
    load.to_accept.put(None)
    accepting.join(timeout=600)
    figures["seconds of load"] = round(time.monotonic() - started, 1)

    def settled() -> bool:
        waiting = cluster.one(
            "SELECT count(*) FROM notifications_notification WHERE channel = 'sms' AND delivery <> 'sent'"
        )
        unchecked = cluster.one("SELECT count(*) FROM appeals_appeal WHERE duplicates_checked_at IS NULL")
        return waiting == 0 and unchecked == 0

    wait_for(settled, 120, "every text message sent and every appeal checked", every=0.5)
    figures["seconds from the end of the load until every message was sent"] = round(
        time.monotonic() - started - figures["seconds of load"], 1
    )

    # Appeals: every acknowledged one exactly once, nothing else.
    found = Counter(
        key
        for (key,) in cluster.query("SELECT client_key FROM appeals_appeal WHERE client_key LIKE 'cluster-%'")
    )
    ids = dict(cluster.query("SELECT client_key, id FROM appeals_appeal WHERE client_key LIKE 'cluster-%'"))
    statuses = Counter(status for status, _id in load.appeals.values())
    figures.update(
        {
            "requests sent (appeals, orders, accepts, with resends)": load.requests,
            "requests unanswered (server killed), sent again": load.unanswered,
            "server errors (5xx)": len(load.server_errors),
            "appeals filed": total,
            "appeals acknowledged 201": statuses[201],
            "appeals acknowledged 200 (a resend found the first)": statuses[200],
            "appeals found": sum(found[key] for key in load.appeals),
            "appeals found that were not acknowledged": sum(
                n for key, n in found.items() if key not in load.appeals and key != "cluster-web"
            ),
            "appeals found twice or more": sum(1 for n in found.values() if n > 1),
        }
    )
    assert load.server_errors == []
    assert len(load.appeals) == total
    assert all(found[key] == 1 for key in load.appeals)
    assert all(ids[key] == appeal for key, (_status, appeal) in load.appeals.items())
    assert set(found) == {*load.appeals, "cluster-web"}

    # Orders and the points ledger.
    orders = Counter(
        (buyer, key)
        for buyer, key in cluster.query(
            "SELECT u.username, o.client_key FROM ledger_mallorder o JOIN accounts_user u ON u.id = o.buyer_id"
        )
    )
    figures["orders acknowledged"] = len(load.orders)
    figures["orders found"] = sum(orders[key] for key in load.orders)
    figures["orders found twice or more"] = sum(1 for n in orders.values() if n > 1)
    assert set(orders) == set(load.orders) and all(n == 1 for n in orders.values())
    proof = json.loads(cluster.run(sys.executable, "-m", "tests.cluster.seed", "reconcile"))
    figures["ledger reconcile"] = (
        f"sound={proof['sound']}, {proof['accounts']} accounts, {proof['mismatched']} mismatched, "
        f"{proof['unbalanced']} unbalanced, entries sum to {proof['total']}"
    )
    assert proof["sound"]
    bought = Counter(buyer for buyer, _key in load.orders)
    assert {name: world["points"] - world["price"] * bought[name] for name in world["residents"]} == {
        name: proof["balances"][name] for name in world["residents"]
    }

    # Acceptances and their text messages: each once.
    accepted = cluster.one(
        "SELECT count(*) FROM appeals_appeal WHERE client_key LIKE 'cluster-%-%' AND status <> 'submitted'"
    )
    sms = cluster.query(
        "SELECT id, delivery FROM notifications_notification WHERE channel = 'sms' AND kind = 'appeal.accept'"
    )
    repeated_rows = cluster.one(
        "SELECT count(*) FROM (SELECT 1 FROM notifications_notification "
        "GROUP BY recipient_id, channel, dedupe_key HAVING count(*) > 1) twice"
    )
    with gateway.lock:
        # the gateway takes a message once per idempotency key (gongzhi-<row>-<written at>)
        taken = Counter(int(key.split("-")[1]) for key in gateway.by_key)
        resent = sum(n - 1 for n in gateway.by_key.values() if n > 1)
        requests = gateway.requests
    figures.update(
        {
            "appeals accepted": accepted,
            "accepts answered 200 / other (a resend found it accepted)": (
                f"{sum(1 for s in load.accepted.values() if s == 200)} / "
                f"{sum(1 for s in load.accepted.values() if s != 200)}"
            ),
            "text messages queued": len(sms),
            "text messages taken by the gateway": sum(taken.values()),
            "text messages taken twice (two keys for one message)": sum(1 for n in taken.values() if n > 1),
            "gateway requests": requests,
            "sends repeated with the same key (dropped by the gateway)": resent,
            "notification rows repeated (recipient, channel, dedupe key)": repeated_rows,
            "kills": ", ".join(cluster.kills),
            "seconds in all": round(time.monotonic() - begun, 1),
        }
    )
    print("\n" + "\n".join(f"{key}: {value}" for key, value in figures.items()))
    assert accepted == total
    assert len(sms) == total and {delivery for _key, delivery in sms} == {"sent"}
    assert set(taken) == {row for row, _delivery in sms} and set(taken.values()) == {1}
    assert repeated_rows == 0
    assert "Traceback" not in cluster.log("server0") + cluster.log("server1"), "an app server raised"
