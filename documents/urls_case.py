"""Case-scoped document pages, mounted under /cases/<code>/documents/."""

from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_upload, name="upload"),
    path("<uuid:document_code>/", views.document_detail, name="detail"),
    path("<uuid:document_code>/file/", views.document_file, name="file"),
    path("<uuid:document_code>/download/", views.document_download, name="download"),
    path(
        "<uuid:document_code>/versions/<uuid:file_code>/download/",
        views.document_version_download,
        name="version_download",
    ),
    path("<uuid:document_code>/replace/", views.document_replace, name="replace"),
    path("<uuid:document_code>/delete/", views.document_delete, name="delete"),
    path("<uuid:document_code>/deadlines/", views.document_deadlines, name="deadlines"),
    path("disclosure/<uuid:client_code>.zip", views.document_disclosure, name="disclosure_zip"),
]
