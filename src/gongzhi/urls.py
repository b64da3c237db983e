"""The URLconf: every app's pages where it mounts them (``GongzhiApp.urls``), then Django's own and the API."""

from django.contrib import admin
from django.urls import include, path

from gongzhi.api.api import api
from gongzhi.core.registry import url_mounts

urlpatterns = [path(mount.prefix, include(mount.urlconf)) for mount in url_mounts()] + [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
