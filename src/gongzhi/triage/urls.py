from django.urls import path

from gongzhi.triage import views

app_name = "triage"
urlpatterns = [
    path("", views.hot_issues_view, name="hot"),
]
