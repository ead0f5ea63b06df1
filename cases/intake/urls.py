"""The caseload import in the house setup (`/manage/import/`, cases.intake.views)."""

from django.urls import path

from cases.intake import views

app_name = "manage_import"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirm/", views.confirm, name="confirm"),
    path("template/", views.template, name="template"),
    path("run/<uuid:code>/", views.run_page, name="run"),
    path("run/<uuid:code>/continue/", views.run_continue, name="run_continue"),
    path("run/<uuid:code>/undo/", views.run_undo, name="run_undo"),
]
