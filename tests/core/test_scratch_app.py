"""Adding an app needs no edit outside it except INSTALLED_APPS: the scratch app in tests/scratch declares
its menu entry, pages, API router, demo step, home card and KPI provider in its AppConfig, and a fresh
process with it installed shows all of them."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from gongzhi.api.api import api
from gongzhi.core.registry import DemoContext, demo_steps, home_cards, kpi_providers, nav_entries
from django.utils.module_loading import import_string

ctx = DemoContext(rng=None)
step = next(s for s in demo_steps() if s.name == "scratch")
print(json.dumps({
    "menu": [n.key for n in nav_entries(AnonymousUser())],
    "page": reverse("scratch:index"),
    "api": "/api/v1/scratch/hello" in api.get_openapi_schema()["paths"],
    "api_answer": json.loads(Client(SERVER_NAME="localhost").get("/api/v1/scratch/hello").content),
    "demo": [s.name for s in demo_steps()],
    "demo_figures": import_string(step.load)(ctx),
    "cards": [c.template for c in home_cards()],
    "kpis": sorted(kpi_providers()),
}))
"""


def test_a_scratch_app_appears_in_the_menu_the_api_and_the_demo(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.scratch.settings",
            "GONGZHI_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert "scratch" in seen["menu"] and seen["page"] == "/scratch/"
    assert seen["api"] and seen["api_answer"] == {"hello": "scratch"}
    assert seen["demo"][-1] == "scratch" and seen["demo_figures"] == {"scratch_things": 3}
    assert "scratch/_card.html" in seen["cards"]
    assert "scratch" in seen["kpis"] and "appeals" in seen["kpis"]


def test_the_scratch_app_is_not_installed_in_the_ordinary_suite():
    from gongzhi.core.registry import gongzhi_apps

    assert "tests.scratch" not in {app.name for app in gongzhi_apps()}
