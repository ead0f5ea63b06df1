"""Case-scoped visit pages, mounted under /cases/<code>/ by caseworks/urls.py."""

from django.urls import path

from visits import views

app_name = "case_visits"
urlpatterns = [
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<uuid:visit_code>/", views.visit_detail, name="visit_detail"),
    path("visits/<uuid:visit_code>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<uuid:visit_code>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("checklist/<slug:item>/done/", views.arrival_check_done, name="check_done"),
    path("accompaniments/new/", views.accompaniment_new, name="accompaniment_new"),
    path(
        "accompaniments/<uuid:accompaniment_code>/",
        views.accompaniment_detail,
        name="accompaniment_detail",
    ),
    path(
        "accompaniments/<uuid:accompaniment_code>/edit/",
        views.accompaniment_edit,
        name="accompaniment_edit",
    ),
    path(
        "accompaniments/<uuid:accompaniment_code>/outcome/",
        views.accompaniment_outcome,
        name="accompaniment_outcome",
    ),
    path(
        "accompaniments/<uuid:accompaniment_code>/cancel/",
        views.accompaniment_cancel,
        name="accompaniment_cancel",
    ),
]
