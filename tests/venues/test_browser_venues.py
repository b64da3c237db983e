"""Venues in Chromium at phone and desktop widths: a community books the centre's deliberation room every
week; another's clashing booking is refused with the booking in the way named; a resident finds today's
knife sharpening; the subdistrict's staff open the service-circle map and plan five new stations."""

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.core.workdays import SHANGHAI
from gongzhi.orgs.models import NodeKind
from gongzhi.venues.models import Booking, BookingStatus, ConvenienceService, StationPlan
from tests.accounts.factories import PersonFactory
from tests.orgs.factories import make_node
from tests.test_browser import CHROMIUM, SHOTS, sign_in
from tests.venues.conftest import next_weekday

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _shot(page, name: str) -> None:
    """A full-page screenshot. Chromium's capture beyond the viewport leaves a scrolled page's input
    coordinates stale (the next click lands beside its target, here on the booking form instead of its
    button) until the page scrolls again: a scroll by one pixel over the top bar puts them right (over a
    focused number field the wheel would change its value)."""
    page.screenshot(path=SHOTS / name, full_page=True)
    page.mouse.move(1, 1)
    page.mouse.wheel(0, -1)


def _outskirts(world):
    """Twelve compounds east of the centre, one building each, three to eight residents per building."""
    for n in range(12):
        compound = make_node(
            world.comm_a2,
            NodeKind.COMPOUND,
            f"东郊{n + 1}苑",
            lat=30.300 + 0.004 * (n % 4),
            lng=120.16 + 0.006 * (n // 4),
        )
        building = make_node(
            compound, NodeKind.BUILDING, f"东郊{n + 1}苑1幢", lat=compound.lat, lng=compound.lng
        )
        for _ in range(3 + n % 6):
            PersonFactory(node=building)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_book_weekly_clash_today_and_plan(
    transactional_db, world, centre, live_server, browser, width, height
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    ConvenienceService.objects.create(
        venue=centre, name="磨剪刀", weekday=today.weekday(), start_time=time(9), end_time=time(11),
        provider="党员志愿者 王师傅", queue_tickets=True,
    )  # fmt: skip
    _outskirts(world)
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # A community secretary books the centre's deliberation room every Wednesday, four times.
    sign_in(page, live_server, world.a1_secretary.username)
    page.goto(f"{live_server.url}/venues/")
    page.click("a:has-text('街道A党群服务中心')")
    _shot(page, f"venues-detail-{width}.png")
    page.locator("li", has_text="议事协商室").get_by_role("link", name="预约").click()
    wed = next_weekday(2)
    page.fill("#id_title", "社区A1居民议事会")
    page.fill("#id_day", wed.isoformat())
    page.fill("#id_start", "14:00")
    page.fill("#id_end", "16:00")
    page.select_option("#id_repeat", "weekly")
    page.check("#id_weekdays_2")
    page.fill("#id_count", "4")
    _shot(page, f"venues-book-{width}.png")
    page.click("#booking-form button.primary")
    # The form posts to "#booking-form"; the bookings page is opened at its top, not at that fragment.
    page.wait_for_url(f"{live_server.url}/venues/bookings/#main")
    assert page.locator(".bookings li").count() == 4, page.locator("main").inner_text()
    assert "已预约 4 次" in page.locator(".msg").first.inner_text()
    _shot(page, f"venues-my-bookings-{width}.png")

    # Another community's clashing booking is refused, naming the booking in the way.
    sign_in(page, live_server, world.a2_staff.username)
    page.goto(f"{live_server.url}/venues/spaces/{centre.room.pk}/book/")
    page.fill("#id_title", "社区A2培训")
    page.fill("#id_day", (wed + timedelta(days=7)).isoformat())
    page.fill("#id_start", "15:00")
    page.fill("#id_end", "17:00")
    page.locator("#booking-form button.primary").press("Enter")
    refusal = page.locator("[role=alert]").first.inner_text()
    assert "已被预约" in refusal and "社区A1居民议事会" in refusal and "社区A1" in refusal
    assert page.locator("#id_title").input_value() == "社区A2培训"  # what was typed is kept
    in_the_way = Booking.objects.get(title="社区A1居民议事会", starts_at__date=wed + timedelta(days=7))
    assert refusal.startswith(f"该时段已被预约：#{in_the_way.pk} ")  # the sentence, not the bare id
    _shot(page, f"venues-clash-{width}.png")

    # It books the hall instead, which needs approval; the subdistrict's staff approve it at the desk.
    page.goto(f"{live_server.url}/venues/spaces/{centre.hall.pk}/book/")
    page.fill("#id_title", "社区A2培训")
    page.fill("#id_day", (wed + timedelta(days=7)).isoformat())
    page.fill("#id_start", "15:00")
    page.fill("#id_end", "17:00")
    page.click("#booking-form button.primary")
    page.wait_for_url(f"{live_server.url}/venues/bookings/#main")
    assert "待审核" in page.locator(".bookings li", has_text="社区A2培训").inner_text()
    sign_in(page, live_server, world.sub_admin.username)
    page.goto(f"{live_server.url}/venues/desk/")
    waiting = page.locator(".bookings li", has_text="社区A2培训")
    waiting.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_url(f"{live_server.url}/venues/desk/")
    assert Booking.objects.get(title="社区A2培训").status == BookingStatus.CONFIRMED
    assert page.locator(".bookings li", has_text="社区A2培训").count() == 0
    _shot(page, f"venues-desk-{width}.png")

    # A resident finds today's knife sharpening and takes a number.
    sign_in(page, live_server, world.resident.username)
    page.goto(f"{live_server.url}/venues/")
    today_list = page.locator("#today")
    assert "磨剪刀" in today_list.inner_text() and "09:00–11:00" in today_list.inner_text()
    today_list.get_by_role("button", name="取号").click()
    assert "您的号码：1" in page.locator("#today").inner_text()
    _shot(page, f"venues-today-{width}.png")

    # The subdistrict's staff: the service-circle map, then a plan of five new stations saved for the year.
    sign_in(page, live_server, world.sub_admin.username)
    page.goto(f"{live_server.url}/venues/coverage/?node={world.sub_a.pk}")
    assert page.locator("#coverage-map .leaflet-interactive").count() > 10
    assert "未覆盖" in page.locator("#uncovered h2").inner_text()
    _shot(page, f"venues-coverage-{width}.png")
    page.goto(f"{live_server.url}/venues/siting/?node={world.sub_a.pk}")
    page.fill("#id_k", "5")
    page.fill("#id_distance", "500")
    page.click("#siting-form button.primary")
    result = page.locator("#siting-result")
    assert "精确" in result.inner_text() and "贪心" in result.inner_text()
    assert result.locator("ol.sites li").count() == 5
    page.fill("#siting-result #id_title", "2026年新建5个党群服务站")
    page.check("#siting-result #id_adopt")
    _shot(page, f"venues-siting-{width}.png")
    page.click("#siting-result button.primary")
    assert "2026年新建5个党群服务站" in page.locator(".plans").inner_text()
    plan = StationPlan.objects.get()
    assert plan.adopted and plan.stations == 5 and len(plan.sites) == 5
    _shot(page, f"venues-plan-{width}.png")
    assert errors == []
    page.close()
