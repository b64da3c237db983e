from django.urls import path

from gongzhi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_index, name="index"),
    path("read/", views.notification_read_all, name="read_all"),
]
