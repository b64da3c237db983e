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
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/portfolio/", views.plan_portfolio, name="portfolio"),
]
