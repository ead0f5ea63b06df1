"""A session opened through a carrier's directory lasts only as long as the directory lets it:
when its row is gone (back-channel logout, the periodic check deactivating the account), the
next request signs the browser out. Keeps the row's session key current when Django changed
it (a second factor confirmed, say), so that ending it on the server finds it."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from caseworks.directory.models import DirectorySession

SESSION_KEY = "caseworks_directory_session"


class DirectorySessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user_id = request.user.pk if request.user.is_authenticated else None
        row_id = request.session.get(SESSION_KEY) if user_id is not None else None
        if user_id is not None and row_id is not None:
            row = DirectorySession.objects.filter(pk=row_id, identity__user_id=user_id).first()
            if row is None:
                logout(request)
                messages.info(
                    request, _("Your directory ended your session. Please sign in again.")
                )
                return redirect_to_login(request.get_full_path())
            key = request.session.session_key
            if key and row.session_key != key:
                row.session_key = key
                row.save(update_fields=["session_key"])
        return self.get_response(request)
