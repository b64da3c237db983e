from django.urls import path

from gongzhi.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("generate/", views.report_generate_view, name="generate"),
    path("<int:pk>/<str:kind>/", views.report_download, name="download"),
]
