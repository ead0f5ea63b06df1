"""{% submission_field %}: the one-save token of a create form (caseworks.web.submissions)."""

from django import template
from django.utils.html import format_html

from caseworks.web.submissions import FIELD, _token, new_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_field(context):
    """A hidden input with a fresh token; a form shown again with errors keeps the token
    it was sent with."""
    request = context.get("request")
    token = (_token(request) if request is not None and request.method == "POST" else "") or (
        new_token()
    )
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
