"""Issue 14: access logs never hold an API token or an ``api_key`` (130 full tokens were found in one).

The server runs as ``gongzhi demo`` and docs/deploy.md run it (gunicorn with Gongzhi's logger); the test
sends keys in every place a client might put them, then greps the log file.
"""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from gongzhi.core.accesslog import ScrubCredentials, scrub

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def test_scrub_removes_keys_and_tokens_wherever_they_are():
    token = "gz_" + "A1b2-C3_d4" * 4
    line = f'GET /open311/v2/requests.json?jurisdiction_id=x&api_key={token}&status=open HTTP/1.1 "{token}"'
    assert scrub(line) == (
        'GET /open311/v2/requests.json?jurisdiction_id=x&api_key=[removed]&status=open HTTP/1.1 "gz_[removed]"'
    )
    assert scrub("API_KEY=secret&token=abc") == "API_KEY=[removed]&token=[removed]"
    assert scrub("/appeals/?q=monkey=1&page=2") == "/appeals/?q=monkey=1&page=2"  # only whole names


def test_runserver_access_log_is_scrubbed():
    logger = logging.getLogger("django.server")
    assert any(isinstance(f, ScrubCredentials) for f in logger.filters)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        logger.info('"%s" %s %s', "GET /open311/v2/requests.json?api_key=gz_secretsecret HTTP/1.1", 200, 2)
    finally:
        logger.removeHandler(handler)
    assert records and "gz_secretsecret" not in records[0].getMessage()
    assert "api_key=[removed]" in records[0].getMessage()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _django(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_real_gunicorn_access_log_holds_no_token(tmp_path):
    from gongzhi.demo.management.commands.demo import gunicorn_command

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_", "DATABASE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.core.accesslog_settings",
        "GONGZHI_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    _django(env, "migrate", "--run-syncdb", "-v", "0")
    token = _django(
        env,
        "shell",
        "-c",
        "from gongzhi.accounts.models import User\n"
        "from gongzhi.accounts.services import api_token_issue\n"
        "print(api_token_issue(user=User.objects.create_user('logged', password='x' * 12)))",
    ).split()[-1]
    assert token.startswith("gz_")
    port = _free_port()
    log = tmp_path / "access.log"
    command = gunicorn_command(
        str(BIN / "gunicorn"), bind=f"127.0.0.1:{port}", workers=1, access_log=str(log)
    )
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).read()  # noqa: S310 - local test server
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)

        def call(path: str, *, data: bytes | None = None, **headers: str) -> int:
            request = urllib.request.Request(base + path, data=data, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                    answer.read()
                    return answer.status
            except urllib.error.HTTPError as exc:
                return exc.code

        quoted = urllib.parse.quote(token)
        statuses = [
            call(f"/open311/v2/requests.json?api_key={token}"),
            call(f"/open311/v2/requests.json?status=open&api_key={quoted}&jurisdiction_id=gongzhi"),
            call(f"/api/v1/me?token={token}", Authorization=f"Bearer {token}"),
            call("/open311/v2/requests.json", **{"X-Api-Key": token, "Referer": f"{base}/x?api_key={token}"}),
            call("/open311/v2/requests.json", data=urllib.parse.urlencode({"api_key": token}).encode()),
            call(f"/accounts/login/?next=/api/v1/me%3Ftoken%3D{token}"),
        ]
        assert statuses[0] == statuses[1] == statuses[3] == 200  # the key worked
        assert statuses[2] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()
    assert len(written.splitlines()) >= 7, written  # health check and the six calls
    assert token not in written and quoted not in written and token[3:] not in written
    assert written.count("api_key=[removed]") >= 3, written
