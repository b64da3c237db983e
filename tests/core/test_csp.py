"""The Content-Security-Policy header (gongzhi.core.csp): on every page, strict, with the map tile host from
the settings; production keeps HSTS and secure cookies beside it."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from gongzhi.core.csp import policy, tile_sources


def test_the_tile_host_of_a_leaflet_url_template():
    default = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&x={x}&y={y}&z={z}"
    assert tile_sources(default) == ["https://*.is.autonavi.com"]
    assert tile_sources("https://{s}.tile.example.org/{z}/{x}/{y}.png") == ["https://*.tile.example.org"]
    assert tile_sources("https://tiles.gis.example.gov.cn:8443/{z}/{x}/{y}.png") == [
        "https://tiles.gis.example.gov.cn:8443"
    ]
    assert tile_sources("/tiles/{z}/{x}/{y}.png") == []  # the site's own: 'self' covers it


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/appeals/", "/admin/login/", "/api/v1/docs"])
def test_every_page_is_served_with_the_strict_policy(db, world, login, path):
    response = login(world.sub_admin).get(path)
    header = response.headers["Content-Security-Policy"]
    policy = directives(header)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'self'"
    assert "https://*.is.autonavi.com" in policy["img-src"].split()
    assert "unsafe" not in header


def test_the_tile_host_is_a_setting(db):
    with override_settings(CONTENT_SECURITY_POLICY=policy(tile_hosts=["https://*.gis.example.gov.cn"])):
        header = Client().get("/accounts/login/").headers["Content-Security-Policy"]
    assert directives(header)["img-src"] == "'self' data: blob: https://*.gis.example.gov.cn"
    assert "autonavi" not in header


@pytest.mark.parametrize(
    ("host", "path", "status"), [("evil.example", "/", 400), ("localhost", "/nope/", 404)]
)
def test_error_pages_carry_the_policy_too(db, host, path, status):
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == status
    assert directives(response.headers["Content-Security-Policy"])["script-src"] == "'self'"


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_production_keeps_hsts_and_secure_cookies_and_takes_tile_hosts_from_the_environment(tmp_path):
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings.production",
        "GONGZHI_SECRET_KEY": "x" * 64,
        "GONGZHI_FIELD_KEY": "A" * 43 + "=",
        "GONGZHI_DATA_DIR": str(tmp_path),
        "GONGZHI_MAP_TILE_HOSTS": "https://a.example.cn, https://b.example.cn",
        "GONGZHI_SMS_ALLOW_CONSOLE": "1",  # production refuses the console SMS backend otherwise
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    hsts, session_secure, csrf_secure, csp, img = json.loads(done.stdout)
    assert hsts >= 60 * 60 * 24 * 365 and session_secure and csrf_secure and csp
    assert img == ["'self'", "data:", "blob:", "https://a.example.cn", "https://b.example.cn"]
