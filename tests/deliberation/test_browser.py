"""Deliberation and mediation in Chromium: an appeal about the green belt becomes a topic → a round table
meets with quorum and votes → minutes published → action item done → the appeal resolved and rated (staff at
1280 px, the chair and the resident at 390 px); a neighbour dispute appeal becomes a mediation case and its
agreement is printed."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.appeals.intake import appeal_submit
from gongzhi.appeals.models import Appeal
from gongzhi.deliberation.models import Meeting, Topic
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DESK, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def _page(browser, size, errors):
    page = browser.new_page(viewport=size, locale="zh-CN")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def _shot(page, name):
    page.screenshot(path=SHOTS / f"deliberation-{name}-{page.viewport_size['width']}.png", full_page=True)


def _ok(page):
    assert page.locator(".msg.error").count() == 0, page.locator(".msg.error").all_inner_texts()


def test_green_belt_from_appeal_to_rating(transactional_db, world, delib, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    url = live_server.url
    staff = _page(browser, DESK, errors)
    sign_in(staff, live_server, "a1-staff")

    # The appeal becomes a topic of the community council in one step.
    staff.goto(f"{url}/deliberation/")
    staff.fill("input[name=appeal]", str(delib.appeal.pk))
    staff.select_option("form[action$='from-appeal/'] select[name=council]", str(delib.council.pk))
    staff.click("text=提交议事会")
    _ok(staff)
    assert "绿化带挡光滋生蚊虫" in staff.locator("h1").inner_text()
    topic = Topic.objects.get(appeal=delib.appeal)
    _shot(staff, "topic-accepted")

    # A round table is scheduled on the council page with its notice.
    staff.goto(f"{url}/deliberation/councils/{delib.council.pk}/")
    staff.fill("input[name=title]", "百姓圆桌会：绿化带")
    when = timezone.localtime() + timedelta(days=5)
    staff.fill("input[name=starts_at]", when.strftime("%Y-%m-%dT19:00"))
    staff.fill("input[name=place]", "8幢楼前")
    staff.click("text=安排会议")
    _ok(staff)
    meeting = Meeting.objects.get(council=delib.council)
    assert staff.url.endswith(f"/deliberation/meetings/{meeting.pk}/")

    # Meeting room: agenda, open, attendance to quorum, a vote.
    staff.click("text=列入议程")
    staff.click("text=开始会议")
    for _ in range(3):
        staff.locator("#attendance button:has-text('签到')").first.click()
    assert "已达法定人数" in staff.locator("#attendance").inner_text()
    staff.click("summary:has-text('发起表决')")
    staff.fill("input[name=question]", "绿化带改造为口袋花园")
    staff.click("text=开始表决")
    _ok(staff)
    _shot(staff, "meeting-room")
    vote_id = meeting.votes.get().pk

    # The chair and the owners' committee member vote from their phones.
    for username in ("chair", "a1a-resident"):
        phone = _page(browser, PHONE, errors)
        sign_in(phone, live_server, username)
        phone.goto(f"{url}/deliberation/votes/{vote_id}/")
        if username == "chair":
            _shot(phone, "vote")
        phone.click("button[name=choice][value=agree]")
        _ok(phone)
        assert "投票已记录" in phone.locator(".messages").inner_text()
        assert "您目前的投票：同意" in phone.locator("body").inner_text()
        phone.close()

    staff.goto(f"{url}/deliberation/meetings/{meeting.pk}/")
    staff.click("text=结束并计票")
    assert "通过" in staff.locator(".result").inner_text()
    staff.fill("textarea[name=decision]", "保留大树、移除灌木，改造为口袋花园")
    staff.click("button:has-text('记录决议')")
    staff.click("text=结束会议")
    _ok(staff)

    # The chair approves the minutes; staff publish them.
    chair = _page(browser, PHONE, errors)
    sign_in(chair, live_server, "chair")
    chair.goto(f"{url}/deliberation/meetings/{meeting.pk}/")
    chair.click("text=审定纪要（主持人）")
    _ok(chair)
    staff.goto(f"{url}/deliberation/meetings/{meeting.pk}/")
    staff.click("text=在公示栏公示")
    _ok(staff)
    staff.click("text=会议纪要（可打印）")
    assert "保留大树" in staff.locator(".paper").inner_text()
    assert "主任" in staff.locator(".paper").inner_text()
    _shot(staff, "minutes")

    # Carried out: one action item, reported done; the appeal is resolved with the decision.
    staff.goto(f"{url}/deliberation/topics/{topic.pk}/")
    staff.fill("form:has(input[name=owner_name]) input[name=title]", "移除灌木、铺设步道")
    staff.fill("input[name=owner_name]", "物业公司")
    staff.fill("input[name=due]", (timezone.localdate() + timedelta(days=20)).isoformat())
    staff.click("text=添加任务")
    _ok(staff)
    staff.fill("input[name=progress]", "100")
    staff.fill("form:has(input[name=progress]) input[name=note]", "口袋花园完工")
    staff.click("button:has-text('报告进度')")
    _ok(staff)
    assert "已完成" in staff.locator(".badge.soft").first.inner_text()
    _shot(staff, "topic-done")
    appeal = Appeal.objects.get(pk=delib.appeal.pk)
    assert appeal.status == "resolved" and "口袋花园" in appeal.reply

    # The resident rates the topic (群众评议) and the appeal, on the phone.
    resident = _page(browser, PHONE, errors)
    sign_in(resident, live_server, "a1a-resident")
    resident.goto(f"{url}/deliberation/")
    _shot(resident, "topics-near-me")
    resident.goto(f"{url}/deliberation/topics/{topic.pk}/")
    resident.select_option("select[name=score]", "5")
    resident.click("button:has-text('评价')")
    _ok(resident)
    assert "1 条评价" in resident.locator("body").inner_text()
    _shot(resident, "topic-rated")
    resident.goto(f"{url}/appeals/{appeal.pk}/")
    resident.check("input[value=satisfied]")
    resident.click("text=提交评价")
    appeal.refresh_from_db()
    assert appeal.rating == "satisfied"
    # The meeting room and the minutes at the other width, to look at.
    staff.set_viewport_size(PHONE)
    staff.goto(f"{url}/deliberation/meetings/{meeting.pk}/")
    _shot(staff, "meeting-room")
    assert errors == []


def test_neighbour_dispute_to_printed_agreement(transactional_db, world, delib, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    url = live_server.url
    appeal, _ = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="楼上漏水",
        body="楼上卫生间漏水，多次协商不成。",
        resident=world.p_a1a,
    )
    page = _page(browser, DESK, errors)
    sign_in(page, live_server, "a1a-commissioner")
    page.goto(f"{url}/deliberation/mediation/")
    page.fill("form[action$='mediation/from-appeal/'] input[name=appeal]", str(appeal.pk))
    page.click("text=转为调解")
    _ok(page)
    assert "楼上漏水" in page.locator("h1").inner_text()
    page.fill("input[name=at]", timezone.localtime().strftime("%Y-%m-%dT10:00"))
    page.fill("form:has(input[name=at]) input[name=place]", "小区调解室")
    page.fill("input[name=present]", "张三、楼上住户")
    page.click("text=记录本次调解")
    _ok(page)
    page.fill("textarea[name=responsibilities]", "楼上住户承担漏水责任")
    page.fill("textarea[name=terms]", "楼上住户重做防水，赔偿吊顶修复费800元")
    page.fill("input[name=performance]", "楼上住户请施工队在其住宅内完成")
    page.fill("input[name=perform_by]", (timezone.localdate() + timedelta(days=20)).isoformat())
    page.fill("input[name=sealed_by]", "社区A1人民调解委员会")
    page.click("text=记录调解协议")
    _ok(page)
    _shot(page, "case")
    page.click("text=调解协议书（可打印）")
    paper = page.locator(".paper").inner_text()
    assert "人民调解协议书" in paper and "800元" in paper and "司法确认" in paper and "138****1234" in paper
    _shot(page, "agreement")
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / "deliberation-agreement-print.png", full_page=True)
    page.emulate_media(media="screen")
    # Community staff who do not mediate it see counts only, and the case answers 404.
    other = _page(browser, PHONE, errors)
    sign_in(other, live_server, "a1-staff")
    other.goto(f"{url}/deliberation/mediation/")
    assert other.locator(".stats dd").first.inner_text() == "1"
    _shot(other, "case-desk")
    response = other.goto(
        f"{url}/deliberation/mediation/{appeal.pk and page.url.rstrip('/').split('/')[-2]}/"
    )
    assert response is not None and response.status == 404
    assert errors == []
