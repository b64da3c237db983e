from django.urls import path

from gongzhi.orgs import views

app_name = "orgs"
urlpatterns = [
    path("nodes/", views.node_roots, name="node_roots"),
    path("nodes/<int:pk>/", views.node_detail, name="node_detail"),
    path("places/", views.place_picker_view, name="places"),
    path("nodes/export.xlsx", views.nodes_export_view, name="nodes_export"),
    path("party-orgs/", views.party_org_list_view, name="party_org_list"),
    path("party-orgs/<int:pk>/", views.party_org_detail, name="party_org_detail"),
    path("party-orgs/export.xlsx", views.party_members_export_view, name="party_members_export"),
]
