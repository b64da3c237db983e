"""A person's walk through the shell in Debian's Chromium: sign in, home, node browser, at phone and desktop widths."""

import os
import shutil
from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD
from tests.browsing import nav_click

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHOTS = Path(os.environ.get("GONGZHI_SCREENSHOTS", "test-results/screenshots"))


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_sign_in_and_walk_home_to_the_node_browser(
    transactional_db, world, live_server, browser, width, height
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.screenshot(path=SHOTS / f"login-{width}.png", full_page=True)

    # A wrong password is explained, in Chinese, and nothing else happens.
    page.fill("#id_username", "a1-staff")
    page.fill("#id_password", "wrong-password")
    page.click("button.primary")
    assert page.locator(".msg.error").inner_text().startswith("用户名或密码错误")

    page.fill("#id_username", "a1-staff")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("用户")
    assert page.locator(".roles").inner_text().count("社区A1") == 1
    page.screenshot(path=SHOTS / f"home-{width}.png", full_page=True)

    # Home -> node browser through the navigation; the staff member's single reach opens directly.
    nav_click(page, "区域")
    page.wait_for_url(f"{live_server.url}/nodes/{world.comm_a1.pk}/")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    assert "小区A1a" in rows.first.inner_text()
    assert "社区A2" not in page.content()
    page.screenshot(path=SHOTS / f"nodes-{width}.png", full_page=True)

    page.click("text=小区A1a")
    page.wait_for_url(f"{live_server.url}/nodes/{world.cmp_a1a.pk}/")
    assert "楼A1a-1" in page.locator("table.list").inner_text()
    assert page.locator(".crumbs").inner_text().startswith("社区A1")

    # The layout fits the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The htmx script is served by the app itself.
    assert page.evaluate("typeof window.htmx") == "object"
    assert errors == [] and failed == []
    page.close()


def test_language_switch_to_english(transactional_db, world, live_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("form.lang button")
    page.wait_for_selector("text=Sign in to Gongzhi")
    page.fill("#id_username", "a1-staff")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("text=My roles")
    assert "Community staff" in page.locator(".roles").inner_text()
    page.close()


def test_appeal_walk_at_phone_width(transactional_db, world, live_server, browser):
    """A resident files, the commissioner accepts and escalates, the community resolves, the resident rates."""

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server, "a1a-resident")
    nav_click(page, "我的诉求")
    page.click("text=我要反映")
    page.fill("#id_title", "楼道灯不亮")
    page.fill("#id_body", "3单元二楼楼道灯坏了一周，老人晚上看不清台阶。")
    page.select_option("#id_node", label="楼A1a-1")
    page.click("details.pin summary")  # the exact spot, on the map (Leaflet loads when it opens)
    page.wait_for_selector("#pin-map.leaflet-container")
    page.locator("#pin-map").click()
    assert page.input_value("input[name=lat]") and page.inner_text("#pin-text") == "已标出位置。"
    page.screenshot(path=SHOTS / "appeal-new-390.png", full_page=True)
    page.click("button.primary")
    page.wait_for_selector("text=已收到")
    detail_url = page.url
    assert "待受理" in page.content()
    from gongzhi.appeals.models import Appeal

    assert Appeal.objects.get(title="楼道灯不亮").lat is not None

    sign_in(page, live_server, "a1a-commissioner")
    page.goto(f"{live_server.url}/appeals/")
    page.screenshot(path=SHOTS / "appeal-queue-390.png", full_page=True)
    page.click("text=楼道灯不亮")
    page.click("button[value=accept]")
    page.wait_for_selector("text=已受理")
    page.fill("#escalate-note", "需要社区协调物业更换线路")
    page.click("button[value=escalate]")
    page.wait_for_selector("text=已上报")

    sign_in(page, live_server, "a1-staff")
    page.goto(detail_url)
    page.click("button[value=accept]")
    page.fill("#reply", "已协调物业更换楼道灯和线路。")
    page.click("button[value=resolve]")
    page.wait_for_selector("text=已办结，待评价")

    sign_in(page, live_server, "a1a-resident")
    page.goto(detail_url)
    page.check("input[value=satisfied]")
    page.fill("#comment", "谢谢社区")
    page.screenshot(path=SHOTS / "appeal-rate-390.png", full_page=True)
    page.click("button[value=rate]")
    page.wait_for_selector(".badge.status-closed")
    page.screenshot(path=SHOTS / "appeal-closed-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "该户" not in page.content()  # no internal notes leak to the resident
    page.close()


def test_map_gathers_appeals_at_one_place(transactional_db, world, live_server, browser):
    """Appeals pinned to the same compound are one numbered circle, red when one of them is overdue;
    tapping it spreads them out."""
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.appeals.models import Appeal
    from gongzhi.appeals.services import appeal_submit

    world.cmp_a1a.lat, world.cmp_a1a.lng = 30.3151, 120.1432
    world.cmp_a1a.save(update_fields=["lat", "lng"])
    for title in ("楼道灯不亮", "垃圾未清运", "电梯异响"):
        appeal_submit(actor=world.resident, node=world.cmp_a1a, title=title, body=title)
    Appeal.objects.filter(title="电梯异响").update(accept_due=timezone.now() - timedelta(hours=2))

    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "a1a-commissioner")
    page.goto(f"{live_server.url}/appeals/map/")
    cluster = page.locator(".appeal-cluster")
    cluster.wait_for()
    assert cluster.count() == 1 and cluster.inner_text() == "3"
    assert "state-late" in cluster.get_attribute("class")
    cluster.click()
    page.wait_for_timeout(800)  # the spreading animation
    assert page.locator("path.leaflet-interactive").count() >= 3
    page.screenshot(path=SHOTS / "appeal-map-390.png", full_page=True)
    assert errors == []
    page.close()


def test_points_mall_wish_and_check_in_at_phone_width(transactional_db, world, live_server, browser):
    """A resident exchanges points; staff approve and hand over with the pickup code; a wish goes from post to
    claim; an organiser shows the rotating check-in code."""
    import re
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.core.roles import Role
    from gongzhi.ledger.mall import item_create
    from gongzhi.ledger.models import AccountKind, MallOrder
    from gongzhi.ledger.services import account_for, points_post
    from gongzhi.volunteering.services import activity_create
    from gongzhi.wishes.models import Wish
    from tests.accounts.factories import UserFactory
    from tests.conftest import bind

    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=world.sub_a)
    mine = account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident)
    points_post(key="browser-earn", kind="earn", postings=[(issue, -100), (mine, 100)], memo="助老陪护 2h")
    item_create(actor=world.a1_staff, node=world.comm_a1, name="磨刀服务", price=30, stock=3, kind="service")
    helper = UserFactory(username="a1b-volunteer")
    bind(helper, Role.VOLUNTEER, world.cmp_a1b)
    now = timezone.now()
    activity = activity_create(
        actor=world.a1_secretary,
        node=world.cmp_a1a,
        title="垃圾分类值守",
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        capacity=4,
    )

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The resident exchanges 30 of 100 points.
    sign_in(page, live_server, "a1a-resident")
    nav_click(page, "积分兑换")
    assert "100" in page.locator(".balance").inner_text()
    page.screenshot(path=SHOTS / "mall-390.png", full_page=True)
    # 兑换 asks for confirmation first; a double tap on the confirmation sends it twice: one order.
    page.locator("form.order button").first.click()
    page.wait_for_url("**/confirm/?quantity=1")
    assert MallOrder.objects.count() == 0
    page.evaluate(
        """async () => {
            const form = document.querySelector("form.confirm-order");
            // One after the other: the test server shares one in-memory SQLite connection between threads.
            for (const _ of [1, 2]) await fetch(form.action, {method: "POST", body: new FormData(form)});
        }"""
    )
    assert MallOrder.objects.count() == 1
    page.goto(f"{live_server.url}/mall/orders/")
    page.wait_for_selector("text=待审核")
    assert "70" in page.locator(".balance").inner_text()

    # Staff approve; the resident sees the code; staff hand over with it.
    sign_in(page, live_server, "a1-staff")
    page.goto(f"{live_server.url}/mall/manage/")
    page.click("button:has-text('批准')")
    page.wait_for_selector("text=待领取")
    sign_in(page, live_server, "a1a-resident")
    page.goto(f"{live_server.url}/mall/orders/")
    code = page.locator(".pickup .code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    page.screenshot(path=SHOTS / "mall-orders-390.png", full_page=True)
    sign_in(page, live_server, "a1-staff")
    page.goto(f"{live_server.url}/mall/manage/")
    page.fill("input[name=code]", code)
    page.click("button:has-text('交付')")
    page.wait_for_selector("text=已交付")
    assert page.locator("text=磨刀服务 ×1").count() == 0  # no longer waiting

    # A wish: posted, reviewed, claimed by a neighbour who sees only the family name.
    sign_in(page, live_server, "a1a-resident")
    page.goto(f"{live_server.url}/wishes/")
    page.fill("input[name=title]", "想要一台收音机听越剧")
    page.click("button:has-text('发布心愿')")
    page.wait_for_selector("text=审核后")
    sign_in(page, live_server, "a1-staff")
    page.goto(f"{live_server.url}/wishes/?view=review")
    page.click("text=想要一台收音机听越剧")
    page.click("button:has-text('发布上墙')")
    page.wait_for_selector("text=已上墙")
    sign_in(page, live_server, "a1b-volunteer")
    page.goto(f"{live_server.url}/wishes/")
    page.screenshot(path=SHOTS / "wishes-390.png", full_page=True)
    page.click("button:has-text('我来认领')")
    page.wait_for_selector("text=已认领")
    name = Wish.objects.get().wisher_name
    assert (
        len(name) > 1 and name not in page.content() and f"{name[0]}{'*' * (len(name) - 1)}" in page.content()
    )

    # The organiser's check-in screen shows a QR code.
    sign_in(page, live_server, "a1-secretary")
    page.goto(f"{live_server.url}/volunteering/activities/{activity.pk}/qr/")
    assert page.locator(".qr-code svg").count() == 1
    page.screenshot(path=SHOTS / "checkin-qr-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    page.close()
