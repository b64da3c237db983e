"""Lighthouse scores of the resident pages at phone size (`make bench-lighthouse`).

Loads the demo into a throw-away data directory (or reuses ``--keep DIR``), serves it with gunicorn as
`make demo` does, signs in as the demo resident (huiyuan-resident / gongzhi-demo) through the login page,
and runs Lighthouse from npm (node_modules/.bin/lighthouse, package.json devDependencies) against Debian's
Chromium (headless, --no-sandbox) with its default mobile emulation (a Moto G Power sized screen, simulated
slow 4G and a 4× slower CPU). Prints the performance and accessibility scores of each page and what kept
a score below 100; fails when a score is below ``--floor`` (default 95). Figures go in docs/benchmarks.md.

    .venv/bin/python bench/lighthouse.py [--keep DIR] [--pages home,mall] [--runs N]
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
RESIDENT, PASSWORD = "huiyuan-resident", "gongzhi-demo"
PAGES = {
    "home": "/",
    "new-appeal": "/appeals/new/",
    "my-appeals": "/appeals/",
    "activities": "/volunteering/",
    "wishes": "/wishes/",
    "mall": "/mall/",
    "venues": "/venues/",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - our own server on loopback
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def sign_in(base: str) -> str:
    """The session cookie of the demo resident, signed in through the login form as a person would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "method": "password",
            "username": RESIDENT,
            "password": PASSWORD,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request).close()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in as {RESIDENT}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def lighthouse(url: str, cookie: str, out: Path) -> dict:
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    report: dict = json.loads(out.read_text())
    return report


def shortfalls(report: dict, category: str) -> list[str]:
    """The audits of ``category`` that cost points, worst first, with what Lighthouse measured."""
    audits = report["audits"]
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
            found.append((audit["score"], f"{ref['id']} {audit.get('displayValue', '')}".strip()))
    return [text for _score, text in sorted(found)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="use (and keep) this data directory; the demo is loaded once into it")
    parser.add_argument(
        "--pages", default=",".join(PAGES), help="which pages (default all): " + ",".join(PAGES)
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score is reported")
    parser.add_argument("--floor", type=int, default=95)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: npm ci (package.json devDependencies)")

    data = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gongzhi-lighthouse-"))
    env = {**os.environ, "GONGZHI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "gongzhi.settings.local"}
    env.pop("GONGZHI_DEBUG", None)
    server = None
    failed = []
    try:
        if not (data / "gongzhi.sqlite3").exists():
            subprocess.run([BIN / "gongzhi", "demo", "--load-only"], env=env, check=True)  # noqa: S603
        else:  # a kept directory: this code's migrations and static files
            subprocess.run([BIN / "gongzhi", "migrate", "-v0"], env=env, check=True)  # noqa: S603
            subprocess.run([BIN / "gongzhi", "collectstatic", "--noinput", "-v0"], env=env, check=True)  # noqa: S603
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [BIN / "gunicorn", "gongzhi.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(data / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        )
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/healthz", server)
        cookie = sign_in(base)
        print(f"{'page':<12} {'perf':>5} {'a11y':>5}  what cost points")
        for name in args.pages.split(","):
            scores: dict[str, list[int]] = {"performance": [], "accessibility": []}
            report: dict = {}
            for run in range(args.runs):
                report = lighthouse(base + PAGES[name], cookie, data / f"lighthouse-{name}-{run}.json")
                if report.get("finalDisplayedUrl", "").rstrip("/").endswith("/accounts/login"):
                    raise SystemExit(f"{name}: Lighthouse was sent to the login page (session not used)")
                for category in scores:
                    scores[category].append(round(report["categories"][category]["score"] * 100))
            perf = sorted(scores["performance"])[len(scores["performance"]) // 2]
            a11y = sorted(scores["accessibility"])[len(scores["accessibility"]) // 2]
            notes = shortfalls(report, "accessibility") + shortfalls(report, "performance")[:3]
            print(f"{name:<12} {perf:>5} {a11y:>5}  {'; '.join(notes)}", flush=True)
            if perf < args.floor or a11y < args.floor:
                failed.append(name)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
    if failed:
        print(f"below {args.floor}: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
