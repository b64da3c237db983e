"""The alliance walk in Chromium at phone and desktop widths: a community's staff post a need from a
resident's appeal → the engine ranks a unit's resource first → staff accept it → the unit claims the project,
starts it, marks its milestones and finishes it → the resident rates it."""

import os
from pathlib import Path

import pytest

from gongzhi.alliances.models import Need, Project, ProjectRating, ProjectStatus
from gongzhi.appeals.services import appeal_submit
from tests.browsing import nav_click
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_from_appeal_to_rated_project(transactional_db, world, al, live_server, browser, width, height):
    from gongzhi.alliances import services

    services.resource_post(
        actor=al.hospital_user,
        unit=al.hospital,
        category="health",
        title="中医骨伤义诊进小区",
        description="骨伤义诊、健康咨询",
        capacity_kind="places",
        capacity=100,
        radius_km=3,
    )
    services.resource_post(
        actor=al.bank_user,
        unit=al.bank,
        category="legal",
        title="金融反诈讲座",
        capacity_kind="places",
        capacity=50,
    )
    appeal, _created = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="老人想要义诊",
        body="小区里慢病老人多，希望有医生来做骨伤义诊。",
    )
    page = browser.new_page(viewport={"width": width, "height": height})
    shot = SHOTS / f"alliances-{width}"
    shot.mkdir(parents=True, exist_ok=True)

    # The community's staff post the need from the appeal.
    sign_in(page, live_server, world.a1_staff.username)
    page.goto(f"{live_server.url}/alliances/lists/")
    page.select_option("#id_node", str(world.cmp_a1a.pk))
    page.fill("#id_appeal", str(appeal.pk))
    page.select_option("#id_category", "health")
    page.select_option("#id_urgency", "3")
    page.select_option("#id_quantity_kind", "places")
    page.fill("#id_quantity", "40")
    page.click("text=发布需求 >> nth=-1")
    page.wait_for_selector("text=需求已列入清单")
    need = Need.objects.get(appeal=appeal)
    page.screenshot(path=str(shot / "1-need-list.png"), full_page=True)

    # The engine ranks the hospital's resource first; staff accept it.
    page.goto(f"{live_server.url}/alliances/matching/?need={need.pk}")
    first = page.locator("ol.candidates > li").first
    assert "某中医医院" in first.inner_text()
    page.screenshot(path=str(shot / "2-matching.png"), full_page=True)
    first.locator("button", has_text="采纳此匹配").click()
    page.wait_for_load_state()
    page.wait_for_selector("text=已采纳")
    project = Project.objects.get(need=need)
    assert project.status == ProjectStatus.OPEN

    # The unit claims it, starts it, marks the milestones and finishes it.
    sign_in(page, live_server, al.hospital_user.username)
    page.goto(f"{live_server.url}/alliances/projects/{project.pk}/")
    page.click("button:has-text('认领该项目')")
    page.wait_for_selector("button:has-text('开始实施')")
    page.click("button:has-text('开始实施')")
    for _ in range(3):
        page.locator("button:has-text('标记完成')").first.click()
        page.wait_for_load_state()
    page.screenshot(path=str(shot / "3-unit-project.png"), full_page=True)
    page.click("button:has-text('项目完成')")
    page.wait_for_selector("text=群众评议")
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.DONE

    # The unit's account has its own menu (its claims, resources, appeals for it …), not the residents' pages.
    page.goto(f"{live_server.url}/")
    page.screenshot(path=str(shot / "3b-unit-home.png"), full_page=True)
    assert page.locator("nav.mainnav a[href='/wishes/']").count() == 0
    nav_click(page, "我的认领")
    page.wait_for_selector(f"a[href='/alliances/projects/{project.pk}/']")
    page.screenshot(path=str(shot / "3c-unit-claims.png"), full_page=True)

    # The resident rates it.
    sign_in(page, live_server, world.resident.username)
    page.goto(f"{live_server.url}/alliances/")
    page.click(f"a[href='/alliances/projects/{project.pk}/']")
    page.check("input[value='satisfied']")
    page.click("button:has-text('提交评价')")
    page.wait_for_selector("text=感谢您的评议")
    page.screenshot(path=str(shot / "4-resident-rated.png"), full_page=True)
    assert ProjectRating.objects.get(project=project).rating == "satisfied"
    page.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_unit_accounts_and_where_goods_went(transactional_db, world, al, live_server, browser, width, height):
    """The subdistrict's staff add an account on a unit's page; on an in-kind drive's page they record where
    the received goods went (a compound), once."""
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.alliances import donations
    from gongzhi.alliances.models import Pledge, UnitStaff

    drive = donations.drive_create(
        actor=world.sub_admin,
        node=world.sub_a,
        title="爱心物资",
        kind="in_kind",
        goal=10000,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
        receiver="街道A慈善分会",
    )
    pledge = donations.pledge_make(
        actor=al.bank_user, drive=drive, unit=al.bank, amount=2000, item="大米", quantity=40
    )
    donations.pledge_receive(actor=world.sub_admin, pledge=pledge)
    page = browser.new_page(viewport={"width": width, "height": height})
    shot = SHOTS / f"alliances-{width}"
    shot.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, world.sub_admin.username)

    # From the alliance page to the unit's page; a wrong number is refused beside the field, then the account.
    page.goto(f"{live_server.url}/alliances/alliance/{al.alliance.pk}/")
    page.click(f"a[href='/alliances/units/{al.hospital.pk}/']")
    page.fill("#id_name", "王医生")
    page.fill("#id_phone", "12345")
    page.click("button:has-text('创建账号')")
    page.wait_for_selector("text=手机号")
    assert not User.objects.filter(display_name="王医生").exists()
    page.fill("#id_phone", "13900004444")
    page.click("button:has-text('创建账号')")
    page.wait_for_selector("text=账号已开通")
    page.wait_for_selector("text=139****4444")
    assert UnitStaff.objects.filter(unit=al.hospital, user__display_name="王医生").exists()
    page.screenshot(path=str(shot / "5-unit-accounts.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The drive's page: where the rice went.
    page.goto(f"{live_server.url}/alliances/donations/{drive.pk}/")
    page.screenshot(path=str(shot / "6a-drive-choose.png"), full_page=True)
    page.select_option("form.place-form select[name='to']", f"node:{world.cmp_a1a.pk}")
    page.click("form.place-form button")
    page.wait_for_selector("text=物资去向已登记")
    assert Pledge.objects.get(pk=pledge.pk).to_node_id == world.cmp_a1a.pk
    assert page.locator("form.place-form").count() == 0
    page.screenshot(path=str(shot / "6-drive-destination.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()
