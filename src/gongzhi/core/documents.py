"""Documents people attach (a signed agreement, a plan, minutes' appendices): a PDF of bounded size, or a
photo (checked and re-encoded by ``core.images.clean_photo`` so no metadata survives). One way for every app
that stores such files, so the checks and their messages are the same everywhere."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gongzhi.core.images import clean_photo

PDF_MAGIC = b"%PDF-"
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def clean_document(
    upload: UploadedFile, *, name: str = "document", max_bytes: int = DOCUMENT_MAX_BYTES
) -> ContentFile:
    """The stored copy of ``upload``: a PDF as it came (at most ``max_bytes``), or a photo cleaned of its
    metadata. The copy's name is ``name`` with the type's extension (``.pdf``, ``.jpg`` …); a file of any other
    type, or too large, is refused with a ValidationError in the user's language."""
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        if upload.size is None or upload.size > max_bytes:
            raise ValidationError(_("A document is at most %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
        return ContentFile(upload.read(), name=f"{name}.pdf")
    photo_limit = getattr(settings, "GONGZHI_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
    if upload.size is None or upload.size > photo_limit:
        raise ValidationError(_("A photo may be at most %(mb)s MB.") % {"mb": photo_limit // (1024 * 1024)})
    try:
        content, _w, _h = clean_photo(upload)
    except ValidationError:
        raise ValidationError(_("Attach a PDF document or a photo (JPEG, PNG or WebP).")) from None
    extension = (content.name or "photo.jpg").rsplit(".", 1)[-1]
    content.name = f"{name}.{extension}"
    return content


def document_kind(file_name: str) -> str:
    """``pdf`` or the photo's extension, from a name ``clean_document`` gave."""
    extension = file_name.rsplit(".", 1)[-1].lower()
    return extension if extension in CONTENT_TYPES else "pdf"
