"""Pictures of things residents choose between (mall items, activities, wishes, venues, projects): one
mechanism for every app that declares a ``PhotoSlot``. Staff who may manage an object upload its photo, which
is re-encoded without metadata (``core.images``) at a size meant for screens; it is served only to those who
may see the object, and a drawn placeholder stands in while there is none.

    photo = photo_field()  # on the model (a migration adds it)
    photos = [PhotoSlot("mall-item", "ledger.MallItem", _("mall item"), back="mall:manage")]  # on the app
    {% load photos %}{% photo item %}  # in the template

Each stored photo has a small WebP copy beside it (``thumb_name``) that lists show; ``gongzhi
photo_thumbnails`` makes the copies photos stored before had none of.
"""

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import ServiceError
from gongzhi.core.images import clean_photo, thumbnail
from gongzhi.core.registry import PhotoSlot, photo_slots

DISPLAY_SIDE = 1280  # a photo to look at on a phone or a list, not evidence to zoom into
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class PhotoError(ServiceError):
    default_code = "bad_photo"


def photo_path(instance: models.Model, filename: str) -> str:
    """Where an object's photo is stored: by app, model and month (never under a public URL)."""
    meta = instance._meta
    return f"photos/{meta.app_label}/{meta.model_name}/{timezone.now():%Y/%m}/{instance.pk}-{filename}"


def photo_field() -> models.FileField:
    return models.FileField(_("photo"), upload_to=photo_path, blank=True)


def slot_for(obj: models.Model) -> PhotoSlot | None:
    label = obj._meta.label
    return next((s for s in photo_slots().values() if s.model == label), None)


def slot_named(kind: str) -> PhotoSlot:
    slot = photo_slots().get(kind)
    if slot is None:
        raise PhotoError.not_found()
    return slot


def photo_object(*, user: Any, kind: str, pk: int, action: str = "view") -> tuple[PhotoSlot, models.Model]:
    """The object of ``kind`` with ``pk`` if ``user`` may ``action`` it ("view" to see its photo, the slot's
    manage action to change it); else not found."""
    slot = slot_named(kind)
    manager = apps.get_model(slot.model)._default_manager
    obj = manager.visible_to(user, "view").filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise PhotoError.not_found()
    if action == "manage" and not may_manage_photo(user, obj):
        raise PhotoError.forbidden(_("Only the staff who look after this may change its photo."))
    return slot, obj


def stored_photo(obj: models.Model, slot: PhotoSlot | None = None) -> Any:
    slot = slot or slot_for(obj)
    return getattr(obj, slot.field) if slot else None


def thumb_name(name: str) -> str:
    """Where the small copy of the photo stored as ``name`` lives."""
    return name.rsplit(".", 1)[0] + ".thumb.webp"


def photo_url(obj: models.Model, *, thumb: bool = False) -> str:
    """The URL of ``obj``'s photo (its small copy for lists when ``thumb``; its version in the query, so a
    new photo is fetched anew), or of its kind's placeholder."""
    slot = slot_for(obj)
    if slot is None:
        return ""
    stored = getattr(obj, slot.field)
    if not stored:
        return static(slot.placeholder)
    version = stored.name.rsplit("/", 1)[-1].split(".", 1)[0]
    view = "core:photo_thumb" if thumb else "core:photo"
    return f"{reverse(view, args=[slot.kind, obj.pk])}?v={version}"


def thumbnail_make(stored: Any) -> str:
    """Write the small copy of the stored photo ``stored`` (a FieldFile), replacing any; its name."""
    name = thumb_name(stored.name)
    with stored.storage.open(stored.name, "rb") as source:
        data = source.read()
    if stored.storage.exists(name):
        stored.storage.delete(name)
    saved: str = stored.storage.save(name, thumbnail(data))
    return saved


def back_url(slot: PhotoSlot, obj: models.Model) -> str:
    try:
        return reverse(slot.back, args=[obj.pk])
    except NoReverseMatch:
        return reverse(slot.back)


def _replace(obj: models.Model, slot: PhotoSlot, content: Any) -> None:
    old = getattr(obj, slot.field)
    storage = old.storage
    old_name = old.name if old else ""
    if content is None:
        setattr(obj, slot.field, "")
    else:
        getattr(obj, slot.field).save(content.name, content, save=False)
    new_name = getattr(obj, slot.field).name if content is not None else ""
    if new_name:
        thumbnail_make(getattr(obj, slot.field))
    type(obj)._default_manager.filter(pk=obj.pk).update(**{slot.field: new_name})  # unscoped: checked above
    if old_name and old_name != new_name:

        def forget() -> None:
            for name in (old_name, thumb_name(old_name)):
                if storage.exists(name):
                    storage.delete(name)

        transaction.on_commit(forget)


@transaction.atomic
def photo_replace(*, actor: Any, kind: str, pk: int, upload: UploadedFile) -> models.Model:
    """Give the object its photo (replacing any before): refused unless ``actor`` may manage it, and for a
    file that is not a readable JPEG, PNG or WebP, too large or a decompression bomb (nothing is stored)."""
    slot, obj = photo_object(user=actor, kind=kind, pk=pk, action="manage")
    try:
        content, width, height = clean_photo(upload, max_side=DISPLAY_SIDE)
    except ValidationError as exc:
        raise PhotoError.invalid("；".join(exc.messages), field="photo", code="bad_photo") from None
    _replace(obj, slot, content)
    audit_record(actor=actor, action="photo.replace", target=obj, width=width, height=height)
    return obj


@transaction.atomic
def photo_remove(*, actor: Any, kind: str, pk: int) -> models.Model:
    """Take the object's photo away (the placeholder shows again)."""
    slot, obj = photo_object(user=actor, kind=kind, pk=pk, action="manage")
    if getattr(obj, slot.field):
        _replace(obj, slot, None)
        audit_record(actor=actor, action="photo.remove", target=obj)
    return obj


def may_manage_photo(user: Any, obj: models.Model) -> bool:
    slot = slot_for(obj)
    if slot is None:
        return False
    scoped = type(obj)._default_manager.visible_to(user, slot.manage)  # type: ignore[attr-defined]
    return bool(scoped.filter(pk=obj.pk).exists())
