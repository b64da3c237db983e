"""An appeal's life in a compound, walked in Debian's Chromium at phone and desktop widths: a resident files
at a building with a photo, the commissioner hands it to the property manager, a neighbour supports it and
is offered support instead of filing it again, the property manager reports it done with a photo of the
work, the commissioner calls the resident (reveals the number, records the call) and resolves it, the
resident rates it. Screenshots are kept in test-results/screenshots."""

import io
from pathlib import Path

import pytest
from PIL import Image

from gongzhi.appeals.models import Appeal, AppealSupport, Status
from gongzhi.core.models import AuditEvent
from gongzhi.core.roles import Role
from gongzhi.orgs.models import OrgUnit, OrgUnitKind
from tests.accounts.factories import PersonFactory, UserFactory, bind, with_phone
from tests.browsing import nav_click
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

LEAK = ("地下车库渗漏", "下雨后地下车库B区顶板一直滴水，车顶全是水渍，墙皮也在掉。")


def photo(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_an_appeal_from_a_building_to_the_property_manager_and_back(
    transactional_db, world, live_server, browser, tmp_path, width, height
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with_phone(world.resident, "13812341234")
    property_manager = OrgUnit.objects.create(
        node=world.cmp_a1a, kind=OrgUnitKind.PROPERTY_MANAGER, name="A1a物业服务中心"
    )
    manager = UserFactory(username="a1a-property", display_name="物业王经理")
    bind(manager, Role.PROPERTY_MANAGER, world.cmp_a1a)
    neighbour = UserFactory(username="a1a-neighbour", display_name="邻居")
    bind(neighbour, Role.RESIDENT, world.cmp_a1a)
    PersonFactory(node=world.bld_a1a, name="邻居甲", user=neighbour)
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def shot(name):
        page.screenshot(path=SHOTS / f"compound-{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name

    # The resident files at their building, with a photo they see before sending.
    sign_in(page, live_server, "a1a-resident")
    page.goto(f"{live_server.url}/appeals/new/")
    page.fill("#id_title", LEAK[0])
    page.fill("#id_body", LEAK[1])
    page.select_option("#id_node", label="楼A1a-1")
    page.set_input_files("#id_photos", photo(tmp_path / "before.jpg", (90, 90, 120)))
    page.locator("#photo-preview img").wait_for()
    shot("file")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("text=已收到")
    detail = page.url
    appeal = Appeal.objects.get(title=LEAK[0])
    assert appeal.node == world.bld_a1a and appeal.photos.count() == 1

    # The commissioner accepts it and hands it to the compound's property manager.
    sign_in(page, live_server, "a1a-commissioner")
    page.goto(detail)
    page.click("button[value=accept]")
    page.wait_for_selector("#assignee")
    page.select_option("#assignee", value=f"unit:{property_manager.pk}")
    shot("assign")
    page.click("button[value=assign]")
    page.wait_for_selector(".badge.status-assigned")
    assert Appeal.objects.get(pk=appeal.pk).assignee_unit == property_manager

    # A neighbour sees it in their compound's list; filing the same problem, they are offered to support it
    # instead, and do.
    sign_in(page, live_server, "a1a-neighbour")
    nav_click(page, "我的诉求")
    page.click("[role=tab] >> text=本小区")
    page.click(f"text={LEAK[0]}")
    assert "张三" not in page.content()  # the filer is not named to neighbours
    shot("neighbour")
    page.goto(f"{live_server.url}/appeals/new/")
    page.fill("#id_title", "车库顶板渗漏")
    page.fill("#id_body", "地下车库B区顶板滴水，车顶都是水渍。")
    page.select_option("#id_node", label="楼A1a-1")
    page.locator("#similar >> text=支持这件").wait_for(timeout=10_000)
    shot("similar")
    page.get_by_role("button", name="提交").click()  # sent all the same: the offer comes first
    page.wait_for_selector("text=邻居已反映过类似的问题")
    assert Appeal.objects.count() == 1
    page.locator(".support-instead").first.click()
    page.wait_for_selector("text=您已支持")
    shot("support")
    assert AppealSupport.objects.filter(appeal=appeal, user=neighbour).exists()

    # The property manager finds it in its own list and reports it done with a photo of the work.
    sign_in(page, live_server, "a1a-property")
    nav_click(page, "指派给我们")
    page.click(f"text={LEAK[0]}")
    page.fill("#propose-reply", "已对车库顶板注浆堵漏并清理积水，雨后复查无渗漏。")
    page.set_input_files("#propose-photos", photo(tmp_path / "after.jpg", (60, 140, 60)))
    page.locator("#propose-preview img").wait_for()
    shot("propose")
    page.click("button[value=propose]")
    page.wait_for_selector(".badge.status-proposed")
    assert Appeal.objects.get(pk=appeal.pk).photos.filter(kind="evidence").count() == 1

    # The commissioner calls the resident (the number shown on request, logged), records the call and
    # resolves it with the property manager's words.
    sign_in(page, live_server, "a1a-commissioner")
    page.goto(detail)
    assert "138****1234" in page.inner_text("#filer-phone")
    page.click("text=显示号码以便回访")
    page.locator("#filer-phone a[href='tel:13812341234']").wait_for()
    page.locator("text=显示号码以便回访").wait_for(state="detached")  # the button asks once
    assert AuditEvent.objects.filter(action="appeal.reveal.phone").count() == 1
    page.check("input[name=reached]")
    page.fill("#follow-up", "居民确认车库已不漏水")
    page.click("button[value=follow_up]")
    page.wait_for_selector("text=已联系上居民")
    assert "已对车库顶板注浆堵漏" in page.input_value("#reply")
    shot("confirm")
    page.click("button[value=resolve]")
    page.wait_for_selector(".badge.status-resolved")

    # The resident rates it; the timeline says who took each step, by role.
    sign_in(page, live_server, "a1a-resident")
    page.goto(detail)
    page.check("input[value=satisfied]")
    page.click("button[value=rate]")
    page.wait_for_selector(".badge.status-closed")
    timeline = page.inner_text(".timeline")
    assert "物业" in timeline and "小区专员" in timeline and "物业王经理" not in timeline
    assert "居民确认车库已不漏水" not in timeline  # the call record is internal
    shot("closed")
    assert Appeal.objects.get(pk=appeal.pk).status == Status.CLOSED
    assert errors == []
    page.close()
