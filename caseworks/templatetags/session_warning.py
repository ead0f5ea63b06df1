"""{% session_warning %}: the idle-end warning's script and style (static/js/session.js), with
its times and texts as data attributes (the CSP allows no inline script), for signed-in pages."""

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def session_warning(context: dict[str, Any]) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    idle = round(settings.CASEWORKS_SESSION_IDLE_MINUTES * 60)
    lead = min(round(settings.CASEWORKS_SESSION_WARNING_MINUTES * 60), idle)
    return format_html(
        '<link rel="stylesheet" href="{}">'
        '<script src="{}" defer data-idle="{}" data-lead="{}" data-alive="{}" data-label="{}"'
        ' data-warning="{}" data-remaining="{}" data-button="{}" data-extended="{}"'
        ' data-ended="{}"></script>',
        static("css/session.css"),
        static("js/session.js"),
        idle,
        lead,
        reverse("session_alive"),
        gettext("Session"),
        gettext("Your session ends soon because nothing was opened or saved for a while."),
        gettext("Time left: %(time)s"),
        gettext("Stay signed in"),
        gettext("You stay signed in."),
        gettext(
            "Your session has ended. What you typed is not lost: save as usual, sign in "
            "again, and it is back in the form."
        ),
    )
