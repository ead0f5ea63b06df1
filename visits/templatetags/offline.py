"""{% offline_script %}: the offline drafts' script (static/js/offline.js) with its addresses and
texts as data attributes (the CSP allows no inline script). On a signed-in page it names the
session's tag, so that drafts of another session are deleted; on a signed-out page it says so,
and every draft and cached copy in the browser is deleted. The shell (`shell=True`) is cached:
it names no session and no key."""

import json
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from caseworks.access.permissions import CASE_ROLES, may
from visits.offline import SESSION_KEY

register = template.Library()


def _texts() -> dict[str, Any]:
    return {
        "offline": gettext("Offline: what you record is kept on this phone, encrypted."),
        "online": gettext("Online."),
        "waiting": gettext("Drafts waiting to be sent: %(n)s"),
        "none": gettext("No drafts waiting."),
        "lastSent": gettext("Last sent: %(time)s"),
        "sending": gettext("Sending drafts …"),
        "saved": gettext("Draft kept on this phone, encrypted. It is sent when there is a signal."),
        "sent": gettext("Saved in the case file."),
        "invalid": gettext("Not saved: please correct the draft."),
        "conflict": gettext("Conflict: not saved"),
        "yours": gettext("Your draft"),
        "server": gettext("The case now"),
        "closedOn": gettext("Closed on %(date)s"),
        "nextDue": gettext("Next visit due: %(date)s"),
        "lastVisit": gettext("Last visit: %(date)s (%(kind)s) %(topics)s"),
        "changed": gettext("Changed: %(fields)s"),
        "sendAnyway": gettext("Send anyway"),
        "edit": gettext("Edit"),
        "delete": gettext("Delete draft"),
        "confirmDelete": gettext("Delete this draft? What it holds is lost."),
        "logoutWarning": gettext(
            "%(n)s unsent drafts are on this phone. Logging out deletes them: they cannot be "
            "sent afterwards."
        ),
        "logoutConfirm": gettext("Log out and delete the drafts"),
        "stay": gettext("Stay signed in"),
        "idleWarning": gettext(
            "Your session ends soon: %(n)s unsent drafts will then be deleted. Go online and "
            "send them, or stay signed in."
        ),
        "wiped": gettext("%(n)s unsent drafts of an ended session were deleted."),
        "noSession": gettext(
            "Your session has ended: the drafts could not be sent and were deleted."
        ),
        "chooseCase": gettext("Choose the case."),
        "gone": gettext(
            "This case is no longer in your caseload: it was closed or handed over meanwhile. "
            "Nothing was saved. Your draft is kept here: copy what you need, then delete it."
        ),
        "open": gettext("Open the drafts"),
        "kinds": {
            "visit": gettext("Visit"),
            "contact": gettext("Contact"),
            "task": gettext("Task"),
            "visit_due": gettext("Visit due"),
            "accompaniment": gettext("Accompaniment"),
        },
        "noCrypto": gettext(
            "This browser cannot encrypt drafts: nothing is kept offline on this device."
        ),
    }


@register.simple_tag(takes_context=True)
def offline_script(context: dict[str, Any], shell: bool = False) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = request is not None and user is not None and user.is_authenticated
    # Every signed-in page names its session (a colleague's drafts in this browser are then
    # deleted); only those who record visits get the worker.
    records = signed_in and may(user, *CASE_ROLES)
    # Read, never made here: a page view writes no session. Before the shell first asked for
    # the key, this session has no tag, and any key in the browser is another session's.
    found = request.session.get(SESSION_KEY) if request is not None and signed_in else None
    session = found.get("tag", "") if isinstance(found, dict) and not shell else ""
    return format_html(
        '<script src="{}" defer data-state="{}" data-tag="{}" data-idle="{}" data-session="{}"'
        ' data-send="{}" data-worker="{}" data-scope="{}" data-day="{}" data-logout="{}"'
        ' data-texts="{}"></script>',
        static("js/offline.js"),
        "shell" if shell else ("signed-in" if signed_in else "signed-out"),
        session,
        round(settings.CASEWORKS_SESSION_IDLE_MINUTES * 60),
        reverse("visits:offline_session"),
        reverse("visits:offline_send"),
        reverse("visits:offline_sw") if records or shell else "",
        reverse("visits:offline"),
        reverse("visits:offline_day"),
        reverse("logout"),
        json.dumps(_texts()),
    )
