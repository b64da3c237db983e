"""Pages of no app in particular: the home page (cards the apps register), Excel import (the lists the apps
register) and the health check."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gongzhi.core.background import background_status
from gongzhi.core.excel import ImportRejected
from gongzhi.core.registry import Spreadsheet, home_cards, spreadsheets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cards = []
    for card in home_cards():
        context = card.context_for(request)
        if context is not None:
            cards.append((card.template, context))
    return render(request, "core/home.html", {"cards": cards})


def importable(user: Any) -> list[Spreadsheet]:
    """The lists ``user`` may import, in registration order."""
    return [sheet for sheet in spreadsheets().values() if sheet.may_import(user)]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file contains"))
    file = forms.FileField(label=gettext_lazy("File (.xlsx)"))

    def __init__(self, *args: Any, sheets: list[Spreadsheet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(s.kind, s.label) for s in sheets]
        self.fields["file"].widget.attrs["accept"] = ".xlsx"


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    sheets = importable(request.user)
    if not sheets:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, sheets=sheets)
    errors = None
    if request.method == "POST" and form.is_valid():
        sheet = spreadsheets()[form.cleaned_data["kind"]]
        try:
            count = sheet.run_import(actor=request.user, source=form.cleaned_data["file"])
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(
                request, _("Nothing was imported: the file has %(n)s problem(s).") % {"n": len(errors)}
            )
        else:
            messages.success(request, _("Imported %(n)s rows.") % {"n": count})
            return redirect("core:imports")
    status = 400 if request.method == "POST" and (errors or form.errors) else 200
    exports = [s for s in spreadsheets().values() if s.may_export(request.user)]
    return render(
        request,
        "core/imports.html",
        {"form": form, "errors": errors, "sheets": sheets, "exports": exports},
        status=status,
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """``ok`` after a database round trip (for the load balancer), and when each watched periodic job
    (the SLA sweep) last ran to the end, how many minutes ago, and whether it is late."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "background": background_status()})


TILE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def map_tile(request: HttpRequest, z: int, x: int, y: int, ext: str) -> HttpResponseBase:
    """A map tile from the offline tile folder ``GONGZHI_MAP_TILE_DIR`` (``{z}/{x}/{y}.png``); 404 when the
    folder is not set or has no such tile (the map then draws its places on a plain background)."""
    from pathlib import Path

    from django.conf import settings
    from django.http import FileResponse

    folder = getattr(settings, "GONGZHI_MAP_TILE_DIR", "")
    if not folder or ext not in TILE_TYPES or z > 22 or x >= 2**z or y >= 2**z:
        raise Http404
    tile = Path(folder) / str(z) / str(x) / f"{y}.{ext}"
    if not tile.is_file():
        raise Http404
    response = FileResponse(tile.open("rb"), content_type=TILE_TYPES[ext])
    response["Cache-Control"] = "public, max-age=604800"
    return response
