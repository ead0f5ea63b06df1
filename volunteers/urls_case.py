"""A caseworker asks for a volunteer for an accompaniment of the case."""

from django.urls import path

from volunteers import views

app_name = "volunteers_case"
urlpatterns = [
    path(
        "accompaniments/<uuid:accompaniment_code>/volunteer-request/",
        views.request_new,
        name="request_new",
    ),
]
