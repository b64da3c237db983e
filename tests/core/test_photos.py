"""Photos of mall items, activities, wishes, venues and projects (core.photos): staff who manage an object
upload it (web page or API), it is stored without metadata at screen size, served only to those who see the
object, and a drawn placeholder shows while there is none. Bad files store nothing."""

import io
import struct
import zlib
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.alliances.models import Project
from gongzhi.core.audit import AuditEvent
from gongzhi.ledger.models import MallItem
from gongzhi.venues.models import Venue, VenueLevel
from gongzhi.volunteering.models import Activity
from gongzhi.wishes.models import Wish, WishStatus
from tests.appeals.test_photos import jpeg_with_exif

pytestmark = pytest.mark.django_db

KINDS = ("mall-item", "activity", "wish", "venue", "project")


def make(kind, w):
    """One object of ``kind`` in compound A1a (community A1's staff manage it; its resident sees it)."""
    if kind == "mall-item":
        return MallItem.objects.create(
            node=w.cmp_a1a, subdistrict=w.sub_a, name="磨刀", price=10, stock=3, created_by=w.a1_staff
        )
    if kind == "activity":
        start = timezone.now() + timedelta(days=2)
        return Activity.objects.create(
            node=w.cmp_a1a, organiser=w.a1_staff, title="清扫楼道", starts_at=start,
            ends_at=start + timedelta(hours=2), capacity=5,
        )  # fmt: skip
    if kind == "wish":
        return Wish.objects.create(
            node=w.cmp_a1a, posted_by=w.a1_staff, wisher_name="张三", title="一个书包",
            status=WishStatus.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip
    if kind == "venue":
        return Venue.objects.create(node=w.comm_a1, name="A1 党群服务中心", level=VenueLevel.COMMUNITY_CENTRE)
    return Project.objects.create(node=w.cmp_a1a, name="楼道微更新", created_by=w.a1_staff)


def big_jpeg_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (2000, 1500), (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 20.0, 7.0), 3: "E", 4: (120.0, 7.0, 43.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")


def png_bomb() -> SimpleUploadedFile:
    """A few bytes claiming 20,000 × 20,000 pixels: refused before any pixel is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("bomb.png", body, content_type="image/png")


def test_staff_upload_strips_metadata_resizes_and_residents_see_it(world, login):
    item = make("mall-item", world)
    staff = login(world.a1_staff)
    assert staff.get(f"/photos/mall-item/{item.pk}/edit/").status_code == 200
    sent = staff.post(f"/photos/mall-item/{item.pk}/edit/", {"photo": big_jpeg_with_exif()})
    assert sent.status_code == 302 and sent["Location"] == "/mall/manage/"
    item.refresh_from_db()
    with item.photo.open("rb") as handle:
        stored = handle.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (1280, 960) and image.getexif() == {}
    assert AuditEvent.objects.filter(action="photo.replace", target_id=str(item.pk)).exists()

    resident = login(world.resident)
    page = resident.get("/mall/").content.decode()
    url = f"/photos/mall-item/{item.pk}/thumb/?v="  # the list shows the small copy
    assert url in page and "placeholders/mall-item" not in page
    served = resident.get(f"/photos/mall-item/{item.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "private" in served["Cache-Control"]
    # Subdistrict B's resident does not see the item, nor its photo.
    outsider = world.nobody
    assert login(outsider).get(f"/photos/mall-item/{item.pk}/").status_code == 404


def test_lists_get_a_small_copy_made_when_the_photo_is_stored(
    world, login, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from gongzhi.core.photos import thumb_name

    item = make("mall-item", world)
    staff = login(world.a1_staff)
    staff.post(f"/photos/mall-item/{item.pk}/edit/", {"photo": big_jpeg_with_exif()})
    item.refresh_from_db()
    storage, name = item.photo.storage, item.photo.name
    small = thumb_name(name)
    with storage.open(small, "rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP" and image.size == (480, 360) and image.getexif() == {}
    assert len(data) < item.photo.size / 3
    resident = login(world.resident)
    served = resident.get(f"/photos/mall-item/{item.pk}/thumb/")
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert b"".join(served.streaming_content) == data
    assert login(world.nobody).get(f"/photos/mall-item/{item.pk}/thumb/").status_code == 404
    # a photo stored before copies were made: the list gets the photo itself until the command makes one
    storage.delete(small)
    assert resident.get(f"/photos/mall-item/{item.pk}/thumb/")["Content-Type"] == "image/jpeg"
    out = io.StringIO()
    call_command("photo_thumbnails", stdout=out)
    assert "1 thumbnails made, 0 failed" in out.getvalue() and storage.exists(small)
    call_command("photo_thumbnails", stdout=out)
    assert "0 thumbnails made" in out.getvalue()
    # a new photo replaces the old one and its copy
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/photos/mall-item/{item.pk}/edit/", {"photo": jpeg_with_exif()})
    item.refresh_from_db()
    assert item.photo.name != name and storage.exists(thumb_name(item.photo.name))
    assert not storage.exists(name) and not storage.exists(small)
    staff.post(f"/photos/mall-item/{item.pk}/edit/", {"do": "remove"})
    item.refresh_from_db()
    assert not item.photo


def test_only_those_who_manage_the_object_change_its_photo(world, login):
    item = make("mall-item", world)
    assert login(world.resident).get(f"/photos/mall-item/{item.pk}/edit/").status_code == 403
    assert (
        login(world.resident)
        .post(f"/photos/mall-item/{item.pk}/edit/", {"photo": jpeg_with_exif()})
        .status_code
        == 403
    )
    assert login(world.sub_b_admin).get(f"/photos/mall-item/{item.pk}/edit/").status_code == 404
    assert login(world.a1_staff).get(f"/photos/no-such-kind/{item.pk}/edit/").status_code == 404
    item.refresh_from_db()
    assert not item.photo


@pytest.mark.parametrize(
    "upload, message",
    [
        (lambda: SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg"), "无法识别"),
        (
            lambda: SimpleUploadedFile("big.jpg", b"\xff" * (1024 * 1024 + 1), content_type="image/jpeg"),
            "不能超过 1 MB",
        ),
        (png_bomb, "无法识别"),
    ],
    ids=["not-an-image", "too-big", "decompression-bomb"],
)
def test_bad_files_get_a_clear_error_and_store_nothing(world, login, settings, upload, message):
    settings.GONGZHI_PHOTO_MAX_BYTES = 1024 * 1024
    activity = make("activity", world)
    answer = login(world.a1_staff).post(
        f"/photos/activity/{activity.pk}/edit/", {"photo": upload()}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    activity.refresh_from_db()
    assert not activity.photo and not AuditEvent.objects.filter(action="photo.replace").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_shows_its_placeholder_and_takes_a_photo_through_the_api(world, login, api_login, kind):
    obj = make(kind, world)
    # Given no photo: the object's page shows the kind's drawing, which exists.
    assert finders.find(f"gongzhi/placeholders/{kind}.svg")
    answer = api_login(world.a1_staff).post(f"/api/v1/photos/{kind}/{obj.pk}", {"photo": jpeg_with_exif()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["has_photo"] and body["url"].startswith(f"/photos/{kind}/{obj.pk}/?v=")
    assert login(world.resident).get(body["url"]).status_code == 200
    # A resident may look, not change; the photo's removal brings the placeholder back.
    assert (
        api_login(world.resident)
        .post(f"/api/v1/photos/{kind}/{obj.pk}", {"photo": jpeg_with_exif()})
        .status_code
        == 403
    )
    assert api_login(world.a1_staff).delete(f"/api/v1/photos/{kind}/{obj.pk}").status_code == 204
    obj.refresh_from_db()
    assert not obj.photo


def test_api_refuses_a_bad_file_and_an_unknown_kind(world, api_login):
    item = make("mall-item", world)
    client = api_login(world.a1_staff)
    bad = client.post(f"/api/v1/photos/mall-item/{item.pk}", {"photo": SimpleUploadedFile("x.png", b"nope")})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_photo" and "photo" in bad.json()["fields"]
    assert client.post(f"/api/v1/photos/kitten/{item.pk}", {"photo": jpeg_with_exif()}).status_code == 404
    item.refresh_from_db()
    assert not item.photo


def test_pages_show_the_placeholder_without_a_photo(world, login):
    activity = make("activity", world)
    wish = make("wish", world)
    resident = login(world.resident)
    assert (
        "placeholders/activity" in resident.get(f"/volunteering/activities/{activity.pk}/").content.decode()
    )
    wall = resident.get("/wishes/").content.decode()
    assert "placeholders/wish" in wall and wish.title in wall
    # Residents get no "change the photo" button; the staff who manage it do.
    assert (
        f"/photos/activity/{activity.pk}/edit/"
        not in resident.get(f"/volunteering/activities/{activity.pk}/").content.decode()
    )
    assert (
        f"/photos/activity/{activity.pk}/edit/"
        in login(world.a1_staff).get(f"/volunteering/activities/{activity.pk}/").content.decode()
    )
