"""Template helpers: accessible form fields and expiry badges."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from caseworks.extensions.casefile import record_links_for
from caseworks.web.users import display_name

register = template.Library()


@register.filter(name="display_name")
def display_name_filter(user) -> str:
    """{{ user|display_name }}: the full name, else the user name."""
    return display_name(user)


@register.inclusion_tag("snippets/record_links.html", takes_context=True)
def record_links(context, record):
    """{% record_links visit %}: what other apps offer on a record's page
    (caseworks.extensions.casefile.record_links), for the signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if record is None or user is None:
        return {"links": []}
    return {"links": record_links_for(record, user=user)}


@register.inclusion_tag("snippets/field.html")
def field(bound_field):
    """A labelled field; help text and errors are tied to the input by aria-describedby."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_errors")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    is_checkbox = bound_field.widget_type == "checkbox"
    return {
        "field": bound_field,
        "widget": bound_field.as_widget(attrs=attrs),
        "is_checkbox": is_checkbox,
        "is_group": bound_field.widget_type in ("checkboxselectmultiple", "radioselect"),
        "is_hidden": bound_field.is_hidden,
    }


@register.simple_tag
def expiry_state(status):
    return status.expiry_state(timezone.localdate()) if status else ""


@register.simple_tag(takes_context=True)
def render_part(context, part):
    """Render a case-file panel or timeline entry (caseworks.extensions.casefile) in the page's
    context."""
    template_obj = context.template.engine.get_template(part.template)
    with context.push(part.context):
        return template_obj.render(context)


@register.simple_tag
def status_badge(client):
    """A person's current residence status with its expiry badge (lists show one a person,
    so this is built in Python rather than by including a template each time)."""
    status = client.current_status()
    if status is None:
        return format_html('<span class="muted">{}</span>', gettext("no residence status recorded"))
    label = status.get_kind_display()
    if status.fiction_subtype:
        label = f"{label} – {status.get_fiction_subtype_display()}"
    html = format_html('<span class="status">{}</span>', label)
    if status.valid_until:
        day = date_filter(status.valid_until, "SHORT_DATE_FORMAT")
        state = status.expiry_state(timezone.localdate())
        if state == "expired":
            badge = ("badge badge-danger", gettext("expired on %(date)s") % {"date": day})
        elif state == "expiring":
            badge = ("badge badge-warning", gettext("expires on %(date)s") % {"date": day})
        else:
            badge = ("muted", gettext("valid until %(date)s") % {"date": day})
        html += format_html(' <span class="{}">{}</span>', *badge)
    return html


@register.simple_tag
def languages_shown(codes, other: str = "") -> str:
    """{% languages_shown client.languages client.languages_other %}: the languages' names in
    the UI's language, then what is not yet assigned to a code, marked so ("—" for none).
    One code (a string) or a list of codes."""
    from caseworks import languages

    items = [codes] if isinstance(codes, str) else list(codes or ())
    shown = languages.names([code for code in items if code])
    if other:
        shown.append(gettext("not yet assigned: %(text)s") % {"text": other})
    return ", ".join(shown) or "—"
