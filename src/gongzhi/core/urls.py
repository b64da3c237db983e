from django.urls import path

from gongzhi.core import pwa, views, views_photos

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("imports/", views.imports, name="imports"),
    path("healthz", views.healthz, name="healthz"),
    path("tiles/<int:z>/<int:x>/<int:y>.<str:ext>", views.map_tile, name="map_tile"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("photos/<slug:kind>/<int:pk>/", views_photos.photo, name="photo"),
    path("photos/<slug:kind>/<int:pk>/thumb/", views_photos.photo, {"thumb": True}, name="photo_thumb"),
    path("photos/<slug:kind>/<int:pk>/edit/", views_photos.photo_edit, name="photo_edit"),
]
