"""The installable app for residents (PWA): the web app manifest, the service worker at the site's root (so
its scope is the whole site) and the page it shows when the network is gone.

The service worker (``static/gongzhi/sw.js``) keeps the static files and this offline page; it never keeps
pages, photos or API answers (they are personal) and lets every write through untouched."""

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME = "#b3261e"  # the top bar's red (app.css --red)


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {
            "src": static("gongzhi/icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": static("gongzhi/icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": static("gongzhi/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    data = {
        "id": "/",
        "name": "共治",
        "short_name": "共治",
        "description": _("Gongzhi · party-building-led community co-governance"),
        "lang": "zh-CN",
        "start_url": reverse("core:home") + "?from=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#faf7f5",
        "theme_color": THEME,
        "icons": icons,
        "shortcuts": [
            {"name": "我要反映", "url": "/appeals/new/"},
            {"name": "志愿活动", "url": "/volunteering/"},
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _worker_source() -> bytes:
    path = finders.find("gongzhi/sw.js")
    assert isinstance(path, str), "static/gongzhi/sw.js is missing"
    return Path(path).read_bytes()


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the root (not /static/) so that it may look after every page of the site."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # browsers look for a new version on each visit
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What a page shows without network: nothing personal, since the service worker keeps it."""
    response = render(request, "core/offline.html")
    response["Cache-Control"] = "public, max-age=86400"
    return response
