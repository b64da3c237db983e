"""The cockpit in Chromium: a subdistrict administrator opens the big screen (1920×1080), the desk cockpit
(1280) and the phone layout (390), sees the charts drawn, and drills down to a community."""

import os
from pathlib import Path

import pytest

from gongzhi.appeals.models import Appeal
from gongzhi.cockpit.rollups import rollups_rebuild
from gongzhi.orgs.models import Node
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_cockpit_big_screen_desk_and_phone(transactional_db, world, live_server, browser):
    for n, node in enumerate((world.cmp_a1a, world.cmp_a1b, world.cmp_a2a)):
        # unscoped: the test places the compounds on the map
        Node.objects.filter(pk=node.pk).update(lat=30.31 + n / 200, lng=120.15 + n / 200)
        Appeal.objects.create(node=node, handling_node=node, title="路灯不亮", body="路灯不亮")
    Appeal.objects.create(node=world.cmp_a1a, handling_node=world.cmp_a1a, title="楼道堆物", body="楼道堆物")
    # A place's name is shown as text, never as HTML (names come from spreadsheets and forms).
    Node.objects.filter(pk=world.cmp_a2a.pk).update(name="小区<i>A2a</i>")  # unscoped: the test's place
    rollups_rebuild()
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"{live_server.url}/cockpit/{world.sub_a.pk}/"
    for width, height, query in [(1920, 1080, "?screen=big"), (1280, 900, ""), (390, 844, "")]:
        page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
        page.route("**/*.is.autonavi.com/**", lambda route: route.abort("internetdisconnected"))
        sign_in(page, live_server, world.sub_admin.username)
        page.goto(base + query)
        panel = page.locator("#panel-appeals")
        panel.locator("[data-chart=series] canvas").first.wait_for()
        assert panel.locator('[data-key="collected"] dd').first.inner_text() == "4"
        assert page.locator(".ck-panel").count() >= 5
        # The tile server (settings) is unreachable: the map of open appeals is drawn on a plain background, its
        # places labelled with their open appeals (from the place rollups), most first.
        page.wait_for_selector("#panel-appeals .ck-map[data-map-mode='plain']", timeout=8000)
        labels = panel.locator(".map-place-label").all_inner_texts()
        assert labels[:1] == ["小区A1a · 2"] and sorted(labels[1:]) == [
            "小区<i>A2a</i> · 1",
            "小区A1b · 1",
        ], labels
        assert panel.locator(".ck-map i").count() == 0
        page.screenshot(path=SHOTS / f"cockpit-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
        if not query:
            page.locator("#panel-appeals .ck-links a", has_text="社区A1").click()
            page.wait_for_url(f"{live_server.url}/cockpit/{world.comm_a1.pk}/*")
            assert page.locator('#panel-appeals [data-key="collected"] dd').first.inner_text() == "3"
        page.close()
