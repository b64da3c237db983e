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
    path("projects/<int:pk>/activities/", views.project_activity, name="project_activity"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("alliance/<int:pk>/mall/", views.mall_offer, name="mall_offer"),
    path("needs/of/", views.need_of, name="need_of"),
    path("transfers/new/", views.transfer_new, name="transfer_new"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("unit/claims/", views.unit_desk, {"part": "claims"}, name="my_claims"),
    path("unit/appeals/", views.unit_desk, {"part": "appeals"}, name="my_appeals"),
    path("unit/agreements/", views.unit_desk, {"part": "agreements"}, name="my_agreements"),
]
