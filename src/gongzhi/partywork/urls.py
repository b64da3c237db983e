from django.urls import path

from gongzhi.partywork import views

app_name = "partywork"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.round_board, name="round"),
    path("desk/", views.scoring_desk, name="desk"),
    path("ratings/<int:pk>/", views.rating_detail, name="rating"),
    path("ratings/<int:pk>/evidence/<int:line>/", views.evidence_file, name="evidence"),
    path("points/", views.points, name="points"),
    path("points/branch/<int:branch>/", views.branch_points, name="branch_points"),
    path("points/<int:pk>/decide/", views.points_decide, name="points_decide"),
    path("funds/", views.funds, name="funds"),
    path("funds/export.xlsx", views.funds_export, name="funds_export"),
    path("funds/<int:pk>/", views.budget_detail, name="budget"),
    path("expenses/<int:pk>/step/", views.expense_step, name="expense_step"),
    path("expenses/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("training/", views.training, name="training"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("strong/", views.strong_list, name="strong_list"),
    path("strong/<int:pk>/", views.strong_detail, name="strong"),
    path("showcase/<int:pk>/photo/", views.showcase_photo, name="showcase_photo"),
    path("terms/", views.terms, name="terms"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
]
