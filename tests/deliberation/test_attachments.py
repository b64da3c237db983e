"""Attachments on topics and minutes: a PDF or a photo only (Chinese errors, structured 422, nothing stored),
read through the topic or the minutes as the user may read them (404 elsewhere), removed by who may add."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.core.models import AuditEvent
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _photo() -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", (64, 48), (40, 160, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # metadata that must not survive
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("绿化带.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_topic_attachments_are_checked_and_read_only_where_the_topic_is(world, delib, api_login, client):
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    staff = api_login(world.a1_staff)
    url = f"/api/v1/topics/{topic.pk}/attachments"

    pdf = staff.post(url, {"title": "整改方案", "file": SimpleUploadedFile("plan.pdf", PDF)})
    assert pdf.status_code == 201, pdf.content
    assert pdf.json()["kind"] == "pdf" and pdf.json()["title"] == "整改方案"
    photo = staff.post(url, {"file": _photo()})
    assert photo.status_code == 201 and photo.json()["kind"] == "jpg" and photo.json()["title"] == "绿化带"
    stored = Attachment.objects.get(pk=photo.json()["id"])
    with Image.open(stored.file.open("rb")) as image:
        assert not image.getexif()  # re-encoded: no metadata

    # Another type, or a PDF too large: a structured 422 in Chinese, nothing stored.
    for bad in (
        SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 100),
        SimpleUploadedFile("notes.txt", "会议纪要".encode()),
        SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024)),
    ):
        refused = staff.post(url, {"file": bad})
        assert refused.status_code == 422, refused.content
        body = refused.json()
        assert body["code"] == "invalid" and list(body["fields"]) == ["file"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    assert Attachment.objects.count() == 2

    # Residents near the topic read it; elsewhere the topic and its files are 404.
    near = api_login(world.resident)
    listed = near.get(url)
    assert listed.status_code == 200 and [a["title"] for a in listed.json()["items"]] == [
        "整改方案",
        "绿化带",
    ]
    got = near.get(f"{url}/{pdf.json()['id']}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    far = api_login(world.a2_staff)
    assert far.get(url).status_code == 404
    assert far.get(f"{url}/{pdf.json()['id']}").status_code == 404
    client.force_login(world.a2_staff)
    assert client.get(reverse("deliberation:attachment", args=[pdf.json()["id"]])).status_code == 404
    client.force_login(world.resident)
    page = client.get(reverse("deliberation:attachment", args=[photo.json()["id"]]))
    assert page.status_code == 200 and page["Content-Type"] == "image/jpeg"
    # A resident who is not the proposer neither adds nor removes.
    assert near.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 403
    assert near.delete(f"{url}/{pdf.json()['id']}").status_code == 403
    assert staff.delete(f"{url}/{pdf.json()['id']}").status_code == 204
    assert list(Attachment.objects.values_list("title", flat=True)) == ["绿化带"]
    assert AuditEvent.objects.filter(action="deliberation.attachment_add").count() == 2


def test_minutes_attachments_follow_the_minutes(world, delib, api_login):
    meeting = services.meeting_schedule(
        actor=world.a1_staff,
        council=delib.council,
        title="百姓圆桌会",
        starts_at=timezone.now() + timedelta(days=4),
        place="社区会议室",
    )
    staff = api_login(world.a1_staff)
    url = f"/api/v1/meetings/{meeting.pk}/attachments"
    made = staff.post(url, {"title": "签到表", "file": SimpleUploadedFile("sign.pdf", PDF)})
    assert made.status_code == 201
    file_url = f"{url}/{made.json()['id']}"
    near = api_login(world.resident)
    assert near.get(url).status_code == 404  # draft minutes: only those who run the meeting
    assert near.get(file_url).status_code == 404
    services.meeting_open(actor=world.a1_staff, meeting=meeting)
    services.meeting_close(actor=world.a1_staff, meeting=meeting)
    services.minutes_approve(actor=delib.chair, meeting=meeting)
    # Approved minutes are fixed: no file is added any more.
    late = staff.post(url, {"file": SimpleUploadedFile("late.pdf", PDF)})
    assert late.status_code == 403 and Attachment.objects.count() == 1
    services.minutes_publish(actor=world.a1_staff, meeting=meeting)
    assert near.get(url).json()["items"][0]["title"] == "签到表"
    assert near.get(file_url).status_code == 200
    assert api_login(world.a2_staff).get(file_url).status_code == 404
