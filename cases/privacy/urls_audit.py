"""The data protection officer's pages that read cases, mounted under /audit/ beside the
access log (caseworks.urls): the person search and retention, per carrier."""

from django.urls import path

from cases.privacy import views

urlpatterns = [
    path("people/", views.dpo_people, name="dpo_people"),
    path("retention/", views.retention_reports, name="retention_reports"),
    path("retention/<uuid:organisation_code>/", views.retention_report, name="retention_report"),
    path(
        "retention/<uuid:organisation_code>/dry-run/",
        views.retention_dry_run,
        name="retention_dry_run",
    ),
    path("retention/<uuid:organisation_code>/run/", views.retention_run, name="retention_run"),
]
