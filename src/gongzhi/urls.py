from django.contrib import admin
from django.urls import include, path

from gongzhi.api.api import api

urlpatterns = [
    path("", include("gongzhi.core.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("", include("gongzhi.orgs.urls")),
    path("appeals/hot/", include("gongzhi.triage.urls")),
    path("appeals/", include("gongzhi.appeals.urls")),
    path("messages/", include("gongzhi.notifications.urls")),
    path("mall/", include("gongzhi.ledger.urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("wishes/", include("gongzhi.wishes.urls")),
    path("open311/v2/", include("gongzhi.appeals.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
