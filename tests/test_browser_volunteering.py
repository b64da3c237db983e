"""Volunteering and the mall in Chromium at phone and desktop widths: a resident finds a visit among a week
of duty shifts, opens it and signs up, then orders a haircut through the confirm step; a team leader
publishes at a searched place; a caseworker awards points to a person found by name and a second approves."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.core.roles import Role
from gongzhi.ledger import mall
from gongzhi.ledger.earning import service_points_post
from gongzhi.ledger.models import AwardStatus, MallOrder, PointsAward
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, MemberRole, Signup, Team, TeamMember
from tests.accounts.factories import UserFactory, bind
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _setting(world):
    world.resident.display_name = "张三"
    world.resident.save()
    world.a1_staff.set_phone("13955556666")
    world.a1_staff.save()
    for node, at in [(world.cmp_a1a, (30.30, 120.16)), (world.comm_a1, (30.302, 120.162))]:
        node.lat, node.lng = at
        node.save(update_fields=["lat", "lng"])
    leader = UserFactory(username="a1-leader", display_name="队长")
    bind(leader, Role.VOLUNTEER, world.cmp_a1a)
    team = Team.objects.create(node=world.comm_a1, name="A1先锋队")
    TeamMember.objects.create(team=team, user=leader, role=MemberRole.LEADER)
    roster = services.roster_create(
        actor=world.a1_staff,
        team=team,
        node=world.cmp_a1a,
        title="垃圾分类值守",
        place="东门垃圾分类亭",
        start_time=time(7),
        end_time=time(8, 30),
    )
    services.roster_generate(actor=world.a1_staff, roster=roster, start=timezone.localdate(), days=7)
    start = datetime.combine(
        timezone.localdate() + timedelta(days=3), time(9), timezone.get_current_timezone()
    )
    visit = services.activity_create(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        team=team,
        title="独居老人探访",
        description="两人一组上门探访独居老人，看看水电燃气是否安全。",
        directions="社区A1党群服务中心集合",
        bring="手机和笔",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=4,
    )
    mall.item_create(
        actor=world.a1_staff,
        node=world.comm_a1,
        name="便民理发",
        price=30,
        stock=10,
        limit_per_person=2,
        pickup_place="社区A1党群服务中心",
        pickup_hours="每周六 8:30–11:30",
    )
    service_points_post(
        key="earned",
        subdistrict=world.sub_a,
        user=world.resident,
        points=100,
        actor=world.a1_staff,
        memo="服务",
    )
    return leader, team, visit


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_a_week_of_volunteering_and_the_mall(transactional_db, world, live_server, browser, width, height):
    SHOTS.mkdir(parents=True, exist_ok=True)
    leader, team, visit = _setting(world)
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The resident: the visit stands out among a week of duty shifts, shown as one entry.
    sign_in(page, live_server, world.resident.username)
    page.goto(f"{live_server.url}/volunteering/")
    assert page.locator(".duties .duty").count() == 1
    assert page.locator(".activities li").filter(has_text="独居老人探访").count() == 1
    page.screenshot(path=SHOTS / f"volunteering-list-{width}.png", full_page=True)
    page.locator(".activities a").filter(has_text="独居老人探访").click()
    page.wait_for_url(f"**/volunteering/activities/{visit.pk}/")
    body = page.locator("main").inner_text()
    for text in ("两人一组上门探访", "社区A1党群服务中心集合", "手机和笔", "139****6666", "约 20 积分"):
        assert text in body, text
    assert page.locator("#spot-map.leaflet-container").count() == 1
    page.get_by_role("button", name="报名").click()
    page.wait_for_url(f"**/volunteering/activities/{visit.pk}/")
    assert Signup.objects.filter(activity=visit, user=world.resident, status="confirmed").exists()
    assert page.locator("a[href='tel:13955556666']").count() == 1
    page.screenshot(path=SHOTS / f"volunteering-activity-{width}.png", full_page=True)

    # The haircut: where to pick it up before buying, then the confirm step with the balance after.
    page.goto(f"{live_server.url}/mall/")
    assert "每周六 8:30–11:30" in page.locator(".good").first.inner_text()
    page.locator(".good").filter(has_text="便民理发").get_by_role("button", name="兑换").click()
    page.wait_for_url("**/confirm/?quantity=1")
    assert MallOrder.objects.count() == 0
    assert "70" in page.locator("table.sum tr.total").inner_text()
    page.screenshot(path=SHOTS / f"mall-confirm-{width}.png", full_page=True)
    page.get_by_role("button", name="确认兑换，支付 30 积分").click()
    page.wait_for_url("**/mall/orders/*/")
    assert "接下来" in page.locator("main").inner_text() and MallOrder.objects.count() == 1
    page.screenshot(path=SHOTS / f"mall-order-{width}.png", full_page=True)

    # The team leader publishes at a place found by searching.
    sign_in(page, live_server, leader.username)
    page.goto(f"{live_server.url}/volunteering/new/")
    page.fill("input[name=title]", "楼道清理")
    page.fill("#picker-node input[type=search]", "A1b")
    page.locator("#picker-node-found button").filter(has_text="小区A1b").click()
    page.wait_for_selector("#picker-node .picker-chosen strong")
    assert page.locator("#picker-node .picker-chosen strong").inner_text() == "小区A1b"
    page.fill("input[name=day]", (timezone.localdate() + timedelta(days=5)).isoformat())
    page.fill("input[name=start]", "14:00")
    page.fill("input[name=end]", "15:30")
    page.screenshot(path=SHOTS / f"volunteering-new-{width}.png", full_page=True)
    page.get_by_role("button", name="发布").click()
    page.wait_for_url("**/volunteering/activities/*/")
    published = Activity.objects.get(title="楼道清理")
    assert published.node == world.cmp_a1b and published.team == team

    # A caseworker awards points to a person found by name; another approves.
    sign_in(page, live_server, world.a1_staff.username)
    page.goto(f"{live_server.url}/mall/manage/")
    award_form = page.locator("form").filter(has=page.locator("input[name=form][value=propose]"))
    award_form.locator("#picker-award-node .picker-pick").filter(has_text="社区A1").first.click()
    page.wait_for_selector("#picker-award-node .picker-chosen strong")
    award_form.locator("input[name=who]").fill("张")
    award_form.locator("#people-found input[type=radio]").first.check()
    award_form.locator("input[name=amount]").fill("20")
    award_form.locator("input[name=reason]").fill("扶老人过马路")
    page.screenshot(path=SHOTS / f"mall-award-{width}.png", full_page=True)
    award_form.get_by_role("button", name="提出").click()
    page.wait_for_load_state()
    award = PointsAward.objects.get()
    assert award.recipient == world.resident and award.status == AwardStatus.PENDING
    assert page.locator(f"form:has(input[name=award][value='{award.pk}']) button[value=approve]").count() == 0
    sign_in(page, live_server, world.a1_secretary.username)
    page.goto(f"{live_server.url}/mall/manage/")
    page.locator(f"form:has(input[name=award][value='{award.pk}']) button[value=approve]").click()
    page.wait_for_load_state()
    assert PointsAward.objects.get().status == AwardStatus.APPROVED
    assert errors == []
    page.close()
