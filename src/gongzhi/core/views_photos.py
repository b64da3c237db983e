"""The photo of any object an app declares a ``PhotoSlot`` for: served to those who may see the object, and
changed (uploaded or removed) by the staff who may manage it, from one page reachable from each object."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import photos
from gongzhi.core.forms import PlainForm
from gongzhi.core.web import service_call


class PhotoForm(PlainForm):
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


@login_required
@require_GET
def photo(request: HttpRequest, kind: str, pk: int, thumb: bool = False) -> FileResponse:
    """The object's photo, or its small copy for lists (the photo itself while the copy is not made)."""
    slot, obj = photos.photo_object(user=request.user, kind=kind, pk=pk)
    stored = getattr(obj, slot.field)
    if not stored:
        raise Http404
    name = stored.name
    if thumb and stored.storage.exists(photos.thumb_name(name)):
        name = photos.thumb_name(name)
    content_type = photos.CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    response = FileResponse(stored.storage.open(name, "rb"), content_type=content_type)
    # The URL names the photo's version: a browser may keep it, a shared cache may not.
    response["Cache-Control"] = "private, max-age=604800"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def photo_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    slot, obj = photos.photo_object(user=request.user, kind=kind, pk=pk, action="manage")
    back = photos.back_url(slot, obj)
    form = PhotoForm()
    if request.method == "POST":
        if request.POST.get("do") == "remove":
            with service_call(request, success=_("The photo was removed.")):
                photos.photo_remove(actor=request.user, kind=kind, pk=pk)
            return redirect(back)
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            with service_call(request, success=_("The photo was saved."), form=form) as call:
                photos.photo_replace(actor=request.user, kind=kind, pk=pk, upload=form.cleaned_data["photo"])
            if call.ok:
                return redirect(back)
    context: dict[str, Any] = {
        "slot": slot,
        "obj": obj,
        "form": form,
        "back": back,
        "has_photo": bool(getattr(obj, slot.field)),
        "max_mb": getattr(settings, "GONGZHI_PHOTO_MAX_BYTES", 8 * 1024 * 1024) // (1024 * 1024),
    }
    return render(request, "core/photo_edit.html", context, status=400 if request.method == "POST" else 200)
