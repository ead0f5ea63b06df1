"""Supervision pages, mounted at /supervision/."""

from django.urls import path

from supervision import views as supervision

app_name = "supervision"
urlpatterns = [
    path("", supervision.dashboard, name="dashboard"),
    path("cases/", supervision.drilldown, name="drilldown"),
    path("reassign/", supervision.reassign, name="reassign"),
    path("statistics/", supervision.statistics, name="statistics"),
    path("cover/<uuid:cover_code>/approve/", supervision.cover_approve, name="cover_approve"),
]
