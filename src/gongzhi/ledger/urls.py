from django.urls import path

from gongzhi.ledger import views

app_name = "mall"
urlpatterns = [
    path("", views.mall_index, name="index"),
    path("items/<int:pk>/confirm/", views.mall_confirm, name="confirm"),
    path("items/<int:pk>/order/", views.mall_order, name="order"),
    path("orders/", views.mall_orders, name="orders"),
    path("orders/<int:pk>/", views.mall_order_detail, name="order_detail"),
    path("orders/<int:pk>/act/", views.mall_order_act, name="order_act"),
    path("manage/", views.mall_manage, name="manage"),
    path("manage/people/", views.people_search, name="people"),
]
