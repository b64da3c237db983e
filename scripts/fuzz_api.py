"""A bounded schemathesis run over every operation of the JSON API (run by `make test`).

Loads the demo into a throw-away data directory (`gongzhi demo --load-only`), serves it with gunicorn on a
free loopback port, and runs schemathesis with a fixed seed and a few examples per operation, as a
subdistrict administrator (a staff token). It fails on any 5xx, any status an operation does not declare,
any response body that does not match its declared schema (every error is `ErrorOut`) and any wrong content
type. The operations come from /api/v1/openapi.json, so what a new app's router adds is fuzzed with no
change here. Also checks that a page renders after `demo --load-only` (the static manifest is written).

    .venv/bin/python scripts/fuzz_api.py [--examples N] [--seed N] [--keep DIR]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
STAFF = "xiangfu-admin"  # a subdistrict administrator in the demo (README)
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server on loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def _staff_token(env: dict[str, str]) -> str:
    code = (
        "from gongzhi.accounts.models import User; from gongzhi.accounts.services import api_token_issue; "
        f"print(api_token_issue(user=User.objects.get(username={STAFF!r})))"
    )
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [BIN / "gongzhi", "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1].split()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=3, help="examples per operation (default 3)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", help="use (and keep) this data directory instead of a temporary one")
    args = parser.parse_args()

    data = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gongzhi-fuzz-"))
    env = {**os.environ, "GONGZHI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "gongzhi.settings.local"}
    env.pop("GONGZHI_DEBUG", None)
    server = None
    try:
        started = time.monotonic()
        subprocess.run([BIN / "gongzhi", "demo", "--load-only"], env=env, check=True)  # noqa: S603
        token = _staff_token(env)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            # No request-line limit here: a long generated query string should reach the API (whose answer
            # is under test), not stop at gunicorn's own HTML 400; in production nginx answers those 414.
            [
                BIN / "gunicorn",
                "gongzhi.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--limit-request-line",
                "0",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(data / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        )
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/api/v1/openapi.json", server)
        page = _get(f"{base}/accounts/login/")
        if page != 200:
            print(f"FAILED: /accounts/login/ answered {page} after `demo --load-only`")
            return 1
        print(f"demo loaded and served in {time.monotonic() - started:.0f} s; fuzzing as {STAFF}")
        fuzz_started = time.monotonic()
        run = subprocess.run(  # noqa: S603 - fixed arguments
            [
                BIN / "st",
                "run",
                f"{base}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                CHECKS,
                "--seed",
                str(args.seed),
                "--max-examples",
                str(args.examples),
                # one worker: hypothesis parses lambdas' source with `ast`, which CPython 3.11 does not
                # keep thread-safe (a "recursion depth mismatch" error with two)
                "--workers",
                "1",
                "--no-shrink",
                # Revoking tokens would revoke the fuzzer's own (every later case then a 401): those two
                # operations are covered by tests/accounts/test_tokens.py instead.
                "--exclude-operation-id",
                "gongzhi_accounts_api_token_revoke_current",
                "--exclude-operation-id",
                "gongzhi_accounts_api_token_revoke",
                "--report-dir",
                str(data / "schemathesis-report"),
            ],
            cwd=data,
            env=env,
        )
        print(f"schemathesis: {time.monotonic() - fuzz_started:.0f} s, exit {run.returncode}")
        if run.returncode != 0:
            print(f"server log: {data / 'gunicorn.log'}")
        return run.returncode
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep and os.environ.get("CI") != "keep":
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
