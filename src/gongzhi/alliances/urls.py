from django.urls import path

from gongzhi.alliances import views

app_name = "alliances"
urlpatterns = [
    path("", views.project_board, name="index"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("alliance/<int:pk>/", views.alliance_detail, name="alliance"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("lists/", views.lists, name="lists"),
    path("matching/", views.matching_board, name="matching"),
    path("matching/<int:pk>/", views.match_decide, name="decide"),
    path("donations/", views.donations, name="donations"),
    path("donations/<int:pk>/", views.drive_detail, name="drive"),
    path("export/", views.export, name="export"),
]
