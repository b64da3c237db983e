"""The module in Chromium at phone and desktop widths: a resident orders 小区医生 advice for her mother at
home, the doctor accepts and completes it from his phone, the resident rates it; a community secretary
updates a task of the action plan and sees the portfolio move."""

import os
import re
from pathlib import Path

import pytest

from gongzhi.community import services
from gongzhi.community.models import OrderStatus, ServiceOrder
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_order_a_doctor_for_mother_and_move_the_plan(
    transactional_db, world, directory, plan, live_server, browser, width, height
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    world.resident.display_name = "张三"
    world.resident.save()
    historic = services.type_create(
        actor=world.sub_admin, subdistrict=world.sub_a, level="community", name="历史文化型"
    )
    services.node_type_set(actor=world.sub_admin, node=world.comm_a1, community_type=historic)
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The resident finds the compound doctor among the health services and orders advice at home.
    sign_in(page, live_server, world.resident.username)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="便民服务").first.click()
    page.wait_for_url("**/community/")
    page.locator(".chips.cats").get_by_role("link", name="健康咨询").click()
    page.wait_for_url("**/community/?category=health*")
    assert page.locator(".svc").count() == 1
    page.screenshot(path=SHOTS / f"community-services-{width}.png", full_page=True)
    page.locator(".svc").get_by_role("link", name="预约").click()
    page.wait_for_url(f"**/community/services/{directory.advice.pk}/#order")
    assert "✓ 执业证号已核验" in page.locator("main").inner_text()
    tomorrow = directory.tomorrow.date().isoformat()
    page.fill("input[name=day]", tomorrow)
    page.select_option("select[name=slot]", "14:30")
    page.fill("input[name=for_whom]", "母亲")
    page.fill("input[name=address]", "1幢2单元501")
    page.fill("textarea[name=note]", "血压偏高，想请医生看看用药。")
    page.screenshot(path=SHOTS / f"community-order-form-{width}.png", full_page=True)
    page.get_by_role("button", name="发送预约").click()
    page.wait_for_url(re.compile(r"/community/orders/\d+/"))
    order = ServiceOrder.objects.get()
    assert (order.for_whom, order.address, order.status) == ("母亲", "1幢2单元501", OrderStatus.REQUESTED)
    assert order.wished_at.astimezone().strftime("%H:%M") == "14:30"
    page.screenshot(path=SHOTS / f"community-order-sent-{width}.png", full_page=True)

    # The doctor sees the order in his queue, accepts it, and marks it done after the visit.
    sign_in(page, live_server, directory.doctor_user.username)
    page.goto(f"{live_server.url}/community/orders/")
    assert page.locator(".order").count() == 1 and "母亲" in page.locator(".order").inner_text()
    page.screenshot(path=SHOTS / f"community-doctor-queue-{width}.png", full_page=True)
    page.locator(".order a").click()
    page.get_by_role("button", name="接单").click()
    page.wait_for_load_state()
    assert ServiceOrder.objects.get().status == OrderStatus.ACCEPTED
    page.fill("input[name=hours]", "1.5")
    page.get_by_role("button", name="服务已完成").click()
    page.wait_for_load_state()
    assert ServiceOrder.objects.get().status == OrderStatus.DONE
    page.screenshot(path=SHOTS / f"community-doctor-done-{width}.png", full_page=True)

    # The resident confirms with four stars and a word of thanks.
    sign_in(page, live_server, world.resident.username)
    page.goto(f"{live_server.url}/community/orders/{order.pk}/")
    page.locator(".star-pick label[for=star4]").click()
    page.fill("form.rate input[name=note]", "王医生很耐心")
    page.screenshot(path=SHOTS / f"community-rate-{width}.png", full_page=True)
    page.get_by_role("button", name="确认并评价").click()
    page.wait_for_load_state()
    done = ServiceOrder.objects.get()
    assert (done.status, done.rating, done.comment, done.points) == (
        OrderStatus.CONFIRMED,
        4,
        "王医生很耐心",
        15,
    )
    assert "★★★★☆" in page.locator("main").inner_text()

    # The community secretary updates her community's task and sees the plan and the portfolio move.
    sign_in(page, live_server, world.a1_secretary.username)
    page.goto(f"{live_server.url}/community/plans/{plan.plan.pk}/portfolio/")
    cell = page.locator(".portfolio-table tbody tr").filter(has_text="历史文化型").locator("td").first
    assert cell.inner_text() == "0.0%"
    page.goto(f"{live_server.url}/community/plans/")
    page.get_by_role("link", name="三年行动计划").click()
    page.wait_for_selector("#gantt canvas")
    task = page.locator(f"#task-{plan.a1_task.pk}")
    task.locator("input[name=progress]").fill("60")
    task.locator("input[name=evidence]").fill("惠民清单已在公示栏公示")
    page.screenshot(path=SHOTS / f"community-plan-{width}.png", full_page=True)
    task.get_by_role("button", name="保存进度").click()
    page.wait_for_load_state()
    assert page.locator("#plan-progress").inner_text() == "15.0%"  # (1 × 60 + 3 × 0) / 4
    page.get_by_role("link", name="按社区类型看进度").click()
    page.wait_for_selector("#portfolio canvas")
    assert cell.inner_text() == "60.0%"
    page.screenshot(path=SHOTS / f"community-portfolio-{width}.png", full_page=True)
    assert errors == []
    page.close()
