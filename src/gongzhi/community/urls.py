from django.urls import path

from gongzhi.community import views

app_name = "community"
urlpatterns = [
    path("", views.service_list, name="services"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/photo/", views.order_photo, name="order_photo"),
    path("directory/", views.directory, name="directory"),
    path("directory/settings/", views.directory_settings, name="settings"),
    path("directory/providers/new/", views.provider_new, name="provider_new"),
    path("directory/providers/<int:pk>/", views.provider_detail, name="provider"),
    path("directory/providers/<int:pk>/services/new/", views.service_new, name="service_new"),
    path("directory/services/<int:pk>/", views.service_edit, name="service_edit"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/tasks/new/", views.plan_task_new, name="plan_task_new"),
    path("plans/<int:pk>/portfolio/", views.plan_portfolio, name="portfolio"),
]
