from django.urls import path

from gongzhi.appeals import views, views_oversight

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_index, name="index"),
    path("new/", views.appeal_new, name="new"),
    path("suggest/", views.appeal_suggest, name="suggest"),
    path("similar/", views.appeal_similar, name="similar"),
    path("kpis/", views_oversight.appeal_kpis_view, name="kpis"),
    path("hot/", views_oversight.hot_issues_view, name="hot"),
    path("categories/", views_oversight.appeal_categories, name="categories"),
    path("export.xlsx", views_oversight.appeal_export, name="export"),
    path("map/", views_oversight.appeal_map, name="map"),
    path("bulk/", views.appeal_bulk, name="bulk"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/act/", views.appeal_act, name="act"),
    path("<int:pk>/support/", views.appeal_support, name="support"),
    path("<int:pk>/follow/", views.appeal_follow, name="follow"),
    path("<int:pk>/contact/", views.appeal_contact_reveal, name="contact"),
    path("<int:pk>/photos/", views.appeal_photo_upload, name="photo_upload"),
    path("<int:pk>/photos/<int:photo_id>/", views.appeal_photo, name="photo"),
]
