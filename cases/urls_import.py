"""The caseload import in the house setup (`/manage/import/`, cases.import_views)."""

from django.urls import path

from cases import import_views as views

app_name = "manage_import"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirm/", views.confirm, name="confirm"),
    path("template/", views.template, name="template"),
]
