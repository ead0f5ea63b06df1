"""The volunteer's pages: only the accompaniments assigned to them."""

from django.urls import path

from visits import views

app_name = "volunteer"
urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("<uuid:accompaniment_code>/", views.volunteer_detail, name="detail"),
    path(
        "<uuid:accompaniment_code>/did-not-take-place/",
        views.volunteer_cancel,
        name="did_not_take_place",
    ),
    path(
        "<uuid:accompaniment_code>/did-not-take-place/undo/",
        views.volunteer_cancel_undo,
        name="did_not_take_place_undo",
    ),
]
