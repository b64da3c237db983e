from django.urls import path

from gongzhi.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.activity_index, name="index"),
    path("new/", views.activity_new, name="new"),
    path("rosters/", views.roster_index, name="rosters"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/act/", views.activity_act, name="act"),
    path("activities/<int:pk>/qr/", views.activity_qr, name="qr"),
    path("signups/<int:pk>/", views.signup_act, name="signup_act"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("party/", views.party_board, name="party"),
]
