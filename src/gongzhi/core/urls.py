from django.urls import path

from gongzhi.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("imports/", views.imports, name="imports"),
    path("healthz", views.healthz, name="healthz"),
    path("tiles/<int:z>/<int:x>/<int:y>.<str:ext>", views.map_tile, name="map_tile"),
]
