"""Photos from residents and staff: accept only real JPEG/PNG/WebP images of sane size, and re-encode them so
that no metadata (EXIF: GPS position, phone model, time) survives."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_SIDE = 2560
Image.MAX_IMAGE_PIXELS = 50_000_000  # larger images are refused as decompression bombs


def _not_a_photo() -> ValidationError:
    return ValidationError(_("This file is not a photo we can read (JPEG, PNG or WebP)."))


def clean_photo(upload: UploadedFile, *, max_side: int = MAX_SIDE) -> tuple[ContentFile, int, int]:
    """Return a metadata-free copy of ``upload`` (oriented as shot, at most ``max_side`` px a side) and its
    size."""
    limit = getattr(settings, "GONGZHI_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
    if upload.size is None or upload.size > limit:
        raise ValidationError(_("A photo may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)  # keep the orientation EXIF asked for
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _not_a_photo() from None
    if kind not in ALLOWED:
        raise _not_a_photo()
    image.thumbnail((max_side, max_side))
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A fresh image carries no info dict: no EXIF, XMP, ICC profile or comment is written.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    palette = image.getpalette() if image.mode == "P" else None
    if palette is not None:
        clean.putpalette(palette)
    buffer = io.BytesIO()
    clean.save(buffer, format=kind, quality=85)
    return ContentFile(buffer.getvalue(), name=f"photo.{ALLOWED[kind]}"), clean.width, clean.height


THUMB_SIDE = 480  # a list's picture: 96–320 CSS px wide, sharp on a phone's denser screen


def thumbnail(data: bytes, *, side: int = THUMB_SIDE) -> ContentFile:
    """A small WebP copy (at most ``side`` px a side) of a photo already cleaned by ``clean_photo``, for
    lists: a phone downloads a few kilobytes per picture instead of the full photo."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "P") else "RGB")
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=78, method=4)
    return ContentFile(buffer.getvalue(), name="thumb.webp")
