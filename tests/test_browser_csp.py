"""The Content-Security-Policy, in Debian's Chromium: every page a resident, a commissioner, a subdistrict
administrator and a superuser can reach by following links (the admin included) carries the policy and
shows no violation. Every other browser test fails on a violation too (``tests/conftest.py``)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from tests.test_browser import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

# Links not followed: signing out, files to download, the JSON API (its documentation page is kept).
SKIP = ("/accounts/logout/", "/static/", "/media/", "/i18n/")
DOWNLOADS = (".xlsx", ".csv", ".json", ".png", ".svg", ".jpg", ".pdf")
PAGES_PER_PERSON = 60


def _places(world):
    """Something on every kind of page: an appeal with a spot on the map, an activity, a wish, an item."""
    from gongzhi.appeals.services import appeal_submit
    from gongzhi.ledger.mall import item_create
    from gongzhi.volunteering.services import activity_create
    from gongzhi.wishes.services import wish_post

    world.cmp_a1a.lat, world.cmp_a1a.lng = 30.3151, 120.1432
    world.cmp_a1a.save(update_fields=["lat", "lng"])
    appeal_submit(
        actor=world.resident,
        node=world.bld_a1a,
        title="楼道灯不亮",
        body="三楼灯坏了",
        lat=30.3152,
        lng=120.1433,
    )
    now = timezone.now()
    activity_create(
        actor=world.a1_secretary,
        node=world.cmp_a1a,
        title="垃圾分类值守",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        capacity=4,
    )
    wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要一台收音机")
    item_create(actor=world.a1_staff, node=world.comm_a1, name="磨刀服务", price=30, stock=3, kind="service")


def _crawl(page, base: str) -> dict[str, str]:
    """Visit every same-site page reachable by links from the home page; the policy each one carried."""
    seen: dict[str, str] = {}
    todo = ["/"]
    while todo and len(seen) < PAGES_PER_PERSON:
        path = todo.pop(0)
        if path in seen:
            continue
        try:
            response = page.goto(base + path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # a file to download without an extension (an export)
                continue
            raise
        assert response is not None
        seen[path] = response.headers.get("content-security-policy", "")
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(base + path, href))
            if url.netloc != urlsplit(base).netloc:
                continue
            target = url.path
            if target.startswith(SKIP) or target.endswith(DOWNLOADS):
                continue
            if target.startswith("/api/") and target != "/api/v1/docs":
                continue
            if target not in seen and target not in todo:
                todo.append(target)
    return seen


def test_every_page_carries_the_policy_and_breaks_none_of_it(transactional_db, world, live_server, browser):
    _places(world)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    visited: dict[str, dict[str, str]] = {}
    for username in ("a1a-resident", "a1a-commissioner", "sub-a-admin", "root"):
        sign_in(page, live_server, username)
        visited[username] = _crawl(page, live_server.url)
    pages = {path for paths in visited.values() for path in paths}
    print(f"\n{len(pages)} pages visited: " + ", ".join(f"{u} {len(p)}" for u, p in visited.items()))
    assert len(visited["root"]) >= 40 and any(path.startswith("/admin/") for path in visited["root"])
    assert any(path.startswith("/appeals/") for path in visited["a1a-resident"])
    for username, paths in visited.items():
        for path, policy in paths.items():
            assert "script-src 'self'" in policy, (username, path, policy)
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (username, path)
    assert errors == []
    page.close()


def test_a_violation_fails_the_test(transactional_db, world, live_server, browser):
    """The watch the browser tests keep sees an inline script the policy blocks."""
    page = browser.new_page()
    sign_in(page, live_server, "a1a-resident")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran === undefined")
    seen = list(browser.csp_violations)
    browser.csp_violations.clear()  # expected here: the fixture would fail the test otherwise
    assert any("script-src" in text for text in seen), seen
    page.close()
