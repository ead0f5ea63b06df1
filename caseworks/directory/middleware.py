"""A session opened through a carrier's directory lasts only as long as the directory lets it:
when its row is gone (back-channel logout, the periodic check deactivating the account) or its
time is up (the directory's session lifetime, DirectorySession.ends_at), the next request
signs the browser out. Keeps the row's session key current when Django changed
it (a second factor confirmed, say), so that ending it on the server finds it."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from caseworks.audit.log import log_event
from caseworks.directory.models import DirectorySession

SESSION_KEY = "caseworks_directory_session"


class DirectorySessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user_id = request.user.pk if request.user.is_authenticated else None
        row_id = request.session.get(SESSION_KEY) if user_id is not None else None
        if user_id is not None and row_id is not None:
            row = (
                DirectorySession.objects.filter(pk=row_id, identity__user_id=user_id)
                .select_related("identity__user", "identity__provider__organisation")
                .first()
            )
            if row is not None and row.ends_at is not None and row.ends_at <= timezone.now():
                provider = row.identity.provider
                row.delete()
                log_event(
                    user=row.identity.user,
                    action="directory.session_expired",
                    object_type="directoryprovider",
                    label=provider.organisation.name,
                    detail={"directory": str(provider.code), "hours": provider.session_hours},
                )
                logout(request)
                messages.info(
                    request,
                    _(
                        "Your sign-in through the directory has expired. Please sign in "
                        "again; the directory may let you in without asking."
                    ),
                )
                return redirect_to_login(request.get_full_path())
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
