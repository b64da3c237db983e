from django.urls import path

from gongzhi.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.venue_detail, name="detail"),
    path("new/", views.venue_edit, name="new"),
    path("<int:pk>/edit/", views.venue_edit, name="edit"),
    path("<int:venue_pk>/spaces/new/", views.space_edit, name="space_new"),
    path("spaces/<int:pk>/edit/", views.space_edit, name="space_edit"),
    path("spaces/<int:pk>/book/", views.space_book, name="book"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/step/", views.booking_step, name="booking_step"),
    path("services/<int:pk>/ticket/", views.ticket_take, name="ticket"),
    path("desk/", views.desk, name="desk"),
    path("coverage/", views.coverage, name="coverage"),
    path("siting/", views.siting, name="siting"),
    path("rotations/<int:pk>/", views.rotation_detail, name="rotation"),
    path("calendar/<str:kind>/<int:pk>.ics", views.feed, name="feed"),
]
