"""The installable resident app: the manifest, the service worker at the root and the offline page are served
with the right types, every page names them, and the offline page carries nothing personal."""

import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_and_its_icons(client):
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["name"] == manifest["short_name"] == "共治"
    assert manifest["display"] == "standalone" and manifest["scope"] == "/" and manifest["theme_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"


def test_service_worker_is_served_from_the_root_and_keeps_no_personal_data(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    source = answer.content.decode()
    # Only GETs are ever answered by the worker; pages come from the network (the offline page without it).
    assert 'request.method !== "GET"' in source and '"/offline/"' in source and "fetch(request)" in source
    assert client.post("/sw.js").status_code == 405


def test_offline_page_is_public_and_impersonal(world, login):
    answer = login(world.resident).get("/offline/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert "a1a-resident" not in page and "<script" not in page and "/static/gongzhi/app" in page


def test_every_page_links_the_manifest_and_installs_the_worker(world, login):
    page = login(world.resident).get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'rel="apple-touch-icon"' in page and 'name="theme-color"' in page
    assert "gongzhi/pwa" in page and "<script>" not in page  # the worker is registered from a static file
    pwa = finders.find("gongzhi/pwa.js")
    with open(pwa) as handle:
        assert 'register("/sw.js"' in handle.read()
