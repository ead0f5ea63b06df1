"""The Art. 15 disclosure of one person, mounted under /cases/ without a namespace (its URL
name "disclosure" predates the move from caseworks)."""

from django.urls import path

from cases.privacy import views as disclosure_views

urlpatterns = [
    path(
        "<uuid:code>/clients/<uuid:client_code>/disclosure.<str:fmt>",
        disclosure_views.disclosure_export,
        name="disclosure",
    ),
]
