"""A caseworker asks for a volunteer for an accompaniment of the case, and for a language
mediator for a visit, an accompaniment, a contact or an appointment."""

from django.urls import path

from volunteers import views
from volunteers.mediators import views as mediators

app_name = "volunteers_case"
urlpatterns = [
    path(
        "accompaniments/<uuid:accompaniment_code>/volunteer-request/",
        views.request_new,
        name="request_new",
    ),
] + [
    path(
        f"{plural}/<uuid:{kind}_code>/mediation/",
        mediators.booking_new,
        {"kind": kind},
        name=f"mediation_{kind}",
    )
    for kind, plural in (
        ("visit", "visits"),
        ("accompaniment", "accompaniments"),
        ("contact", "contacts"),
        ("appointment", "appointments"),
    )
]
