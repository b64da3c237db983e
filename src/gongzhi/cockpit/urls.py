from django.urls import path

from gongzhi.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.cockpit_index, name="index"),
    path("<int:pk>/", views.cockpit_node, name="node"),
    path("<int:pk>/data.json", views.cockpit_data, name="data"),
    path("<int:pk>/hot.json", views.cockpit_hot, name="hot"),
]
