"""The Art. 15 disclosure of one person, mounted under /cases/ without a namespace (its URL
name "disclosure" predates the move from caseworks). The PDF is built in the background:
its page, then its download (cases.privacy.exports)."""

from django.urls import path

from cases.privacy import views as disclosure_views

urlpatterns = [
    path(
        "<uuid:code>/clients/<uuid:client_code>/disclosure.<str:fmt>",
        disclosure_views.disclosure_export,
        name="disclosure",
    ),
    path(
        "<uuid:code>/clients/<uuid:client_code>/disclosure/<uuid:export_code>/",
        disclosure_views.disclosure_status,
        name="disclosure_status",
    ),
    path(
        "<uuid:code>/clients/<uuid:client_code>/disclosure/<uuid:export_code>/auskunft.pdf",
        disclosure_views.disclosure_download,
        name="disclosure_download",
    ),
]
