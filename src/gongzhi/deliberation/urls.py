from django.urls import path

from gongzhi.deliberation import views, views_mediation

app_name = "deliberation"
urlpatterns = [
    path("", views.index, name="index"),
    path("from-appeal/", views.from_appeal, name="from_appeal"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("councils/<int:pk>/", views.council_detail, name="council"),
    path("meetings/<int:pk>/", views.meeting_room, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/sign-in/<str:token>/", views.meeting_sign_in, name="sign_in"),
    path("votes/<int:pk>/", views.vote_page, name="vote"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("mediation/", views_mediation.case_desk, name="case_desk"),
    path("mediation/from-appeal/", views_mediation.case_from_appeal, name="case_from_appeal"),
    path("mediation/<int:pk>/", views_mediation.case_detail, name="case"),
    path("mediation/<int:pk>/agreement/", views_mediation.agreement, name="agreement"),
]
