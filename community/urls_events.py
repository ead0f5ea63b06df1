"""/events/: the coordinator's events, and the volunteers' own event pages."""

from django.urls import path

from community import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="new"),
    path("figures/", views.event_figures, name="figures"),
    path("mine/", views.my_events, name="mine"),
    path("mine/<uuid:event_code>/", views.my_event_detail, name="mine_detail"),
    path("<uuid:event_code>/", views.event_detail, name="detail"),
    path("<uuid:event_code>/edit/", views.event_edit, name="edit"),
    path("<uuid:event_code>/attendance/", views.event_attendance, name="attendance"),
    path("<uuid:event_code>/invitation.ics", views.event_invitation, name="invitation"),
    path(
        "registrations/<uuid:registration_code>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<uuid:registration_code>/certificate.pdf",
        views.registration_certificate,
        name="certificate",
    ),
]
