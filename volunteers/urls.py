"""The coordinator's register, requests, tandems, figures and language mediators; the
volunteers' own pages."""

from django.urls import path

from volunteers import views
from volunteers.mediators import views as mediators

app_name = "volunteers"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.volunteer_new, name="new"),
    path("requests/", views.requests, name="requests"),
    path("requests/<uuid:request_code>/", views.request_detail, name="request_detail"),
    path("tandems/", views.tandems, name="tandems"),
    path("tandems/new/", views.tandem_new, name="tandem_new"),
    path("tandems/<uuid:tandem_code>/", views.tandem_detail, name="tandem_detail"),
    path("figures/", views.figures_page, name="figures"),
    path("mediators/", mediators.pool, name="mediators"),
    path("mediators/new/", mediators.mediator_new, name="mediator_new"),
    path("mediators/<uuid:mediator_code>/edit/", mediators.mediator_edit, name="mediator_edit"),
    path(
        "mediators/<uuid:mediator_code>/active/",
        mediators.mediator_active,
        name="mediator_active",
    ),
    path("mediation/", mediators.mediation, name="mediation"),
    path("mediation/<uuid:booking_code>/", mediators.booking_detail, name="booking"),
    path("mediation/<uuid:booking_code>/book/", mediators.booking_book, name="booking_book"),
    path("mediation/<uuid:booking_code>/record/", mediators.booking_record, name="booking_record"),
    path("mediation/<uuid:booking_code>/cancel/", mediators.booking_cancel, name="booking_cancel"),
    path("me/", views.me, name="me"),
    path("me/interpreting/", mediators.my_bookings, name="me_interpreting"),
    path(
        "me/interpreting/<uuid:booking_code>/", mediators.my_booking, name="me_interpreting_detail"
    ),
    path("me/availability/", views.me_availability, name="me_availability"),
    path("me/hours/", views.me_hours, name="me_hours"),
    path("me/offers/<uuid:offer_code>/", views.me_offer, name="me_offer"),
    path("me/tandems/<uuid:tandem_code>/", views.me_tandem, name="me_tandem"),
    path("<uuid:volunteer_code>/", views.volunteer_detail, name="detail"),
    path("<uuid:volunteer_code>/edit/", views.volunteer_edit, name="edit"),
    path("<uuid:volunteer_code>/export.json", views.volunteer_export, name="export"),
    path("<uuid:volunteer_code>/pledge.pdf", views.pledge_pdf, name="pledge"),
]
