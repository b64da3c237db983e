import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gongzhi.accounts.services import api_token_issue
from gongzhi.appeals.models import Appeal, AppealPhoto
from gongzhi.appeals.services import appeal_photo_add

pytestmark = pytest.mark.django_db


def jpeg_with_exif(name="photo.jpg", size=(64, 32), orientation=6) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # rotate 90° on display
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (30.0, 20.0, 7.0), 3: "E", 4: (120.0, 7.0, 43.0)}  # GPS position
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_metadata_is_stripped_and_orientation_kept(world, file_appeal):
    photo = appeal_photo_add(actor=world.resident, appeal=file_appeal(), upload=jpeg_with_exif())
    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.getexif() == {} and image.size == (32, 64)  # turned as the camera meant
    assert (photo.width, photo.height) == (32, 64)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
        SimpleUploadedFile("big.jpg", b"\xff" * (8 * 1024 * 1024 + 1), content_type="image/jpeg"),
    ],
)
def test_bad_files_are_refused(world, file_appeal, upload):
    from django.core.exceptions import ValidationError

    appeal = file_appeal()
    with pytest.raises(ValidationError):
        appeal_photo_add(actor=world.resident, appeal=appeal, upload=upload)
    assert not AppealPhoto.objects.exists()


def test_the_web_form_takes_photos_and_a_bad_one_leaves_nothing(world, login):
    client = login(world.resident)
    bad = client.post(
        "/appeals/new/",
        {
            "title": "t",
            "body": "b",
            "node": world.bld_a1a.pk,
            "client_key": "k",
            "photos": [jpeg_with_exif(), SimpleUploadedFile("x.jpg", b"nope")],
        },
    )
    assert bad.status_code == 400 and not Appeal.objects.exists() and not AppealPhoto.objects.exists()
    good = client.post(
        "/appeals/new/",
        {
            "title": "t",
            "body": "b",
            "node": world.bld_a1a.pk,
            "client_key": "k2",
            "photos": [jpeg_with_exif(), jpeg_with_exif("b.jpg")],
        },
    )
    appeal = Appeal.objects.get()
    assert good.status_code == 302 and appeal.photos.count() == 2


def test_photos_are_served_only_to_those_who_see_the_appeal(world, file_appeal, login):
    appeal = file_appeal()
    photo = appeal_photo_add(actor=world.resident, appeal=appeal, upload=jpeg_with_exif())
    url = f"/appeals/{appeal.pk}/photos/{photo.pk}/"
    for user in (world.resident, world.commissioner, world.sub_admin):
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"].startswith("private")
    for user in (world.a2_staff, world.sub_b_admin, world.viewer):
        assert login(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign-in


def test_evidence_from_staff_and_limits(world, file_appeal):
    from django.core.exceptions import PermissionDenied

    appeal = file_appeal()
    assert (
        appeal_photo_add(
            actor=world.commissioner, appeal=appeal, upload=jpeg_with_exif(), kind="evidence"
        ).kind
        == "evidence"
    )
    with pytest.raises(PermissionDenied):
        appeal_photo_add(actor=world.resident, appeal=appeal, upload=jpeg_with_exif(), kind="evidence")
    with pytest.raises(PermissionDenied):
        appeal_photo_add(actor=world.a2_staff, appeal=appeal, upload=jpeg_with_exif())


def test_photo_api(world, file_appeal):
    appeal = file_appeal()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=world.resident)}")
    response = client.post(f"/api/v1/appeals/{appeal.pk}/photos", {"photo": jpeg_with_exif()})
    assert response.status_code == 201 and response.json()["kind"] == "report"
    bad = client.post(f"/api/v1/appeals/{appeal.pk}/photos", {"photo": SimpleUploadedFile("x.jpg", b"nope")})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert appeal.photos.count() == 1
