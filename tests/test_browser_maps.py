"""Maps without tiles: the tile server unreachable (every tile request fails), a resident opens the map of
the appeal form; the shared map helper draws the form's places as labelled points on a plain background
with a note, instead of a grey canvas. Screenshots at phone and desktop widths go to the screenshot folder."""

import os
from pathlib import Path

import pytest

from gongzhi.orgs.models import Node
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_map_without_tiles_still_shows_its_places(transactional_db, world, live_server, browser):
    # unscoped: the test places the resident's compound and building on the map
    Node.objects.filter(pk=world.cmp_a1a.pk).update(lat=30.3102, lng=120.1561)
    Node.objects.filter(pk=world.bld_a1a.pk).update(lat=30.3108, lng=120.1570)  # unscoped: same
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    failed: list[str] = []

    def refuse(route):
        failed.append(route.request.url)
        route.abort("internetdisconnected")

    page.route("**/*.is.autonavi.com/**", refuse)  # the configured tile server (settings), unreachable

    sign_in(page, live_server, world.resident.username)
    page.goto(f"{live_server.url}/appeals/new/")
    page.click("details.pin summary")
    page.wait_for_selector("#pin-map[data-map-mode='plain']", timeout=8000)
    assert failed, "the map asked for tiles"
    assert page.locator("#pin-map .leaflet-tile-loaded").count() == 0
    labels = page.locator("#pin-map .map-place-label").all_inner_texts()
    assert "小区A1a" in labels and "楼A1a-1" in labels, labels
    assert "底图" in page.locator("#pin-map .map-offline-note").inner_text()
    page.locator("#pin-map").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "map-offline-390.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#pin-map").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "map-offline-1280.png", full_page=False)
    # a tap still marks the spot on the plain map
    page.locator("#pin-map").click(position={"x": 60, "y": 60})
    assert page.input_value("input[name=lat]")
    assert errors == []
