"""Attachments and the room booking in Chromium: staff attach a PDF and a photo to a topic and to a meeting's
minutes, the resident near the topic downloads them on the phone (390 px); a meeting whose room was booked
through the venues is moved (the booking follows, at the new time) and then cancelled (the booking is
cancelled), on the desk (1280 px) and on the phone."""

import os
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Attachment, Ballot, Meeting, OwnedUnit
from gongzhi.venues.models import Booking, Space, SpaceKind, Venue, VenueLevel
from tests.test_browser import CHROMIUM, SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DESK, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _photo() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (40, 160, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def _page(browser, size, errors):
    page = browser.new_page(viewport=size, locale="zh-CN", accept_downloads=True)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def _shot(page, name):
    page.screenshot(path=SHOTS / f"deliberation-{name}-{page.viewport_size['width']}.png", full_page=True)


def _ok(page):
    assert page.locator(".msg.error").count() == 0, page.locator(".msg.error").all_inner_texts()


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways: {width} px"


def _attach(page, name, mime, data, title=""):
    page.set_input_files("#attachments input[type=file]", {"name": name, "mimeType": mime, "buffer": data})
    page.fill("#attachments input[name=title]", title)
    page.click("#attachments button:has-text('上传')")
    _ok(page)


def _workday(days_ahead: int):
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.weekday() >= 5:  # the centre is closed on rest days
        day += timedelta(days=1)
    return day


def test_attachments_and_the_room_booking_follow(transactional_db, world, delib, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    url = live_server.url
    venue = Venue.objects.create(
        node=world.sub_a,
        name="街道A党群服务中心",
        level=VenueLevel.SUBDISTRICT_CENTRE,
        lat=30.3,
        lng=120.15,
        opens_at=time(8, 30),
        closes_at=time(20, 30),
    )
    room = Space.objects.create(
        venue=venue, name="议事协商室", kind=SpaceKind.DELIBERATION, capacity=20, needs_approval=False
    )
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)

    # A plan (PDF) and a photo of the green belt on the topic.
    staff = _page(browser, DESK, errors)
    sign_in(staff, live_server, "a1-staff")
    staff.goto(f"{url}/deliberation/topics/{topic.pk}/")
    _attach(staff, "整改方案.pdf", "application/pdf", PDF, "整改方案")
    _attach(staff, "IMG_2041.jpg", "image/jpeg", _photo())
    files = staff.locator("#attachments li")
    assert files.count() == 2
    assert "整改方案" in files.nth(0).inner_text() and "PDF" in files.nth(0).inner_text()
    assert "IMG_2041" in files.nth(1).inner_text()
    # The photo shows as a thumbnail (loaded: the page may read it), the PDF as a badge.
    thumb = files.nth(1).locator("img")
    thumb.scroll_into_view_if_needed()
    staff.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert staff.locator("#attachments .msg, .msg.success").first.inner_text().strip() != ""
    # A file of another type is refused with a message in Chinese and nothing is stored.
    staff.set_input_files(
        "#attachments input[type=file]",
        {"name": "notes.txt", "mimeType": "application/pdf", "buffer": "会议纪要".encode()},
    )
    staff.click("#attachments button:has-text('上传')")
    assert staff.locator(".msg.error").count() == 1
    assert Attachment.objects.filter(topic=topic).count() == 2
    _shot(staff, "topic-attachments")

    # The meeting: scheduled on a workday, minutes' appendices attached, the room booked.
    day = _workday(5)
    meeting = services.meeting_schedule(
        actor=world.a1_staff,
        council=delib.council,
        title="百姓圆桌会：绿化带",
        starts_at=datetime.combine(day, time(18), SHANGHAI),
        place="待定",
    )
    staff.goto(f"{url}/deliberation/meetings/{meeting.pk}/")
    _attach(staff, "签到表.pdf", "application/pdf", PDF, "签到表")
    _attach(staff, "现场.png", "image/png", _photo(), "会议现场")
    assert Attachment.objects.filter(meeting=meeting).count() == 2
    staff.select_option("select[name=space]", str(room.pk))
    staff.select_option("select[name=hours]", "2")
    staff.click("button:has-text('预约')")
    _ok(staff)
    booking = Booking.objects.get(pk=Meeting.objects.get(pk=meeting.pk).venue_booking_id)
    assert booking.space == room and booking.status == "confirmed"
    booked = staff.locator("#booking").inner_text()
    assert "议事协商室" in booked and "18:00" in booked and "20:00" in booked, booked

    # Moved by a day and an hour: the room is booked at the new time, the old booking cancelled.
    later = _workday(6)
    if later == day:
        later = _workday(7)
    # A time the room cannot hold for the booking's two hours (the centre closes at 20:30) is refused with
    # the venue's reason, and nothing moves.
    staff.click("summary:has-text('改期或取消')")
    staff.fill("input[name=starts_at]", f"{later.isoformat()}T19:00")
    staff.click("button:has-text('改期')")
    assert "开放时间" in staff.locator(".msg.error").inner_text()
    assert Meeting.objects.get(pk=meeting.pk).venue_booking_id == booking.pk
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    staff.click("summary:has-text('改期或取消')")
    staff.fill("input[name=starts_at]", f"{later.isoformat()}T18:30")
    staff.click("button:has-text('改期')")
    _ok(staff)
    assert "场地已按新时间预约" in staff.locator(".messages").inner_text()
    moved = Meeting.objects.get(pk=meeting.pk)
    assert timezone.localtime(moved.starts_at).minute == 30 and timezone.localdate(moved.starts_at) == later
    new = Booking.objects.get(pk=moved.venue_booking_id)
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert new.status == "confirmed" and new.space == room
    assert new.ends_at - new.starts_at == timedelta(hours=2)
    booked = staff.locator("#booking").inner_text()
    assert later.strftime("%m-%d") in booked and "18:30" in booked and "20:30" in booked, booked
    _shot(staff, "meeting-booked")

    # The resident near the topic downloads the plan and opens the photo on the phone.
    phone = _page(browser, PHONE, errors)
    sign_in(phone, live_server, "a1a-resident")
    phone.goto(f"{url}/deliberation/topics/{topic.pk}/")
    _no_sideways_scroll(phone)
    _shot(phone, "topic-attachments")
    with phone.expect_download() as got:
        phone.click("#attachments a:has-text('整改方案')")
    download = got.value
    assert download.suggested_filename == "整改方案.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    photo = phone.request.get(
        url + phone.locator("#attachments a:has-text('IMG_2041')").get_attribute("href")
    )
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.body()[:3] == b"\xff\xd8\xff"

    # The meeting room on the phone (the secretary's phone), then the meeting is cancelled with a reason.
    staff.set_viewport_size(PHONE)
    staff.goto(f"{url}/deliberation/meetings/{meeting.pk}/")
    _no_sideways_scroll(staff)
    _shot(staff, "meeting-booked")
    with staff.expect_download() as got:
        staff.click("#attachments a:has-text('签到表')")
    assert Path(got.value.path()).read_bytes().startswith(b"%PDF")
    staff.click("summary:has-text('改期或取消')")
    staff.fill("input[name=reason]", "台风预警，改期另行通知")
    staff.click("button:has-text('取消会议')")
    _ok(staff)
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"
    assert Booking.objects.get(pk=new.pk).status == "cancelled"
    body = staff.locator("body").inner_text()
    assert "台风预警" in body and "场地预约也已取消" in staff.locator(".messages").inner_text()
    # Nothing more is offered for a cancelled meeting: no agenda to add to, no notes to keep.
    assert staff.locator("button:has-text('列入议程')").count() == 0
    assert staff.locator("textarea[name=notes]").count() == 0
    _shot(staff, "meeting-cancelled")
    staff.set_viewport_size(DESK)
    staff.reload()
    _shot(staff, "meeting-cancelled")
    assert errors == []


def test_an_owner_of_two_flats_votes_for_each_on_the_phone(
    transactional_db, world, delib, live_server, browser
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for number, area, owner in (
        ("1-101", 90, world.resident),
        ("3-601", 75, world.resident),
        ("1-102", 90, None),
    ):
        OwnedUnit.objects.create(
            node=world.cmp_a1a,
            number=number,
            area=Decimal(area),
            owner=owner,
            owner_name="业主",
            owner_key=f"user:{owner.pk}" if owner else "name:李四",
        )
    topic = services.topic_propose(actor=world.commissioner, council=delib.compound_council, title="更新电梯")
    services.topic_transition(actor=world.commissioner, topic=topic, action="accept")
    meeting = services.meeting_schedule(
        actor=world.commissioner,
        council=delib.compound_council,
        title="业主大会",
        starts_at=timezone.now() + timedelta(days=4),
        place="小区广场",
    )
    services.agenda_add(actor=world.commissioner, meeting=meeting, topic=topic)
    vote = services.vote_open(
        actor=world.commissioner,
        topic=topic,
        kind="owners",
        question="使用维修资金更新电梯",
        major=True,
        compound=world.cmp_a1a,
    )
    world.resident.set_phone("13800138000")
    world.resident.save()
    phone = _page(browser, PHONE, errors)
    sign_in(phone, live_server, "a1a-resident")
    phone.goto(f"{live_server.url}/deliberation/votes/{vote.pk}/")
    phone.click("button:has-text('获取验证码')")
    code = re.search(r"\d{6}", MemorySmsBackend.outbox[-1][1]).group()
    assert "2 套房" in phone.locator("body").inner_text()
    _shot(phone, "owner-two-flats")
    phone.fill("input[name=code]", code)
    phone.click("button[name=choice][value=agree]")
    _ok(phone)
    # Back on the page: the flat not yet voted comes chosen; the first is marked voted.
    assert "3-601" in phone.locator("select[name=unit] option:checked").inner_text()
    assert "已投" in phone.locator("select[name=unit] option", has_text="1-101").inner_text()
    phone.click("button[name=choice][value=disagree]")
    _ok(phone)
    _no_sideways_scroll(phone)
    assert "1-101：同意；3-601：反对" in phone.locator("body").inner_text()
    _shot(phone, "owner-two-flats-voted")
    assert dict(Ballot.objects.filter(vote=vote).values_list("unit__number", "choice")) == {
        "1-101": "agree",
        "3-601": "disagree",
    }
    assert errors == []
