from django.urls import path

from tests.scratch import views

app_name = "scratch"
urlpatterns = [path("", views.index, name="index")]
