from django.urls import path

from gongzhi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.request_code, name="request_code"),
    path("logout/", views.logout_view, name="logout"),
    path("tokens/", views.token_list_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("people/", views.person_list_view, name="person_list"),
    path("people/export.xlsx", views.person_export_view, name="person_export"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal_view, name="person_reveal"),
]
