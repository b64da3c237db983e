"""The photo of an object an app declares a ``PhotoSlot`` for (mall items, activities, wishes, venues,
projects), set or removed through the API by the staff who may manage the object."""

from typing import Annotated

from django.db.models import Model
from django.http import HttpRequest
from ninja import File, Path, Router, Schema, Status, UploadedFile

from gongzhi.core import photos
from gongzhi.core.schemas import ErrorOut

router = Router(tags=["photos"])
Kind = Annotated[
    str, Path(pattern=r"^[a-z][a-z-]{0,29}$", description="mall-item, activity, wish, venue, project")
]


class ObjectPhotoOut(Schema):
    kind: str
    object_id: int
    has_photo: bool
    url: str  # the photo (for a signed-in user who may see the object), or the kind's placeholder


def _out(kind: str, obj: Model) -> ObjectPhotoOut:
    slot = photos.slot_named(kind)
    return ObjectPhotoOut(
        kind=kind,
        object_id=obj.pk,
        has_photo=bool(getattr(obj, slot.field)),
        url=photos.photo_url(obj),
    )


@router.post(
    "/photos/{kind}/{object_id}", response={200: ObjectPhotoOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def photo_set(request: HttpRequest, kind: Kind, object_id: int, photo: File[UploadedFile]):
    """Give the object its photo (JPEG, PNG or WebP, at most 8 MB), replacing any before. It is stored at
    most 1280 px a side, without EXIF or other metadata. Staff who may manage the object only."""
    obj = photos.photo_replace(actor=request.user, kind=kind, pk=object_id, upload=photo)
    return _out(kind, obj)


@router.delete("/photos/{kind}/{object_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def photo_delete(request: HttpRequest, kind: Kind, object_id: int):
    """Remove the object's photo (its placeholder shows again)."""
    photos.photo_remove(actor=request.user, kind=kind, pk=object_id)
    return Status(204, None)
