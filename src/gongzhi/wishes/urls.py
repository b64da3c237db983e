from django.urls import path

from gongzhi.wishes import views

app_name = "wishes"
urlpatterns = [
    path("", views.wish_wall, name="index"),
    path("<int:pk>/", views.wish_detail, name="detail"),
    path("<int:pk>/claim/", views.wish_claim, name="claim"),
    path("<int:pk>/photo/", views.wish_photo, name="photo"),
]
