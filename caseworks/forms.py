"""Form helpers shared by every app: service errors onto forms, concurrent-edit messages."""

from typing import Any, NamedTuple

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ModelMultipleChoiceField
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from caseworks.concurrency import ConcurrentEdit
from caseworks.users import display_name


class DateInput(django_forms.DateInput):
    """The browser's own date picker (also on phones); the value travels as ISO date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionedForm(django_forms.ModelForm):
    """Carries the version the user loaded, so a concurrent save can be detected
    (caseworks.concurrency.lock_versioned in the service compares it)."""

    version = django_forms.IntegerField(widget=django_forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True


def error_text(error: ValidationError) -> str:
    """A service's ValidationError as one sentence for a flash message."""
    return " ".join(error.messages)


def apply_service_errors(error: ValidationError, *forms) -> None:
    """Attach a service's ValidationError to the form that has the field, else as non-field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = next((f for f in forms if field in f.fields), forms[0])
            for e in errors:
                target.add_error(field if field in target.fields else None, e)
    else:
        for message in error.messages:
            forms[0].add_error(None, message)


def show_conflict(form, conflict: ConcurrentEdit) -> None:
    """Keep what the user typed, say who changed what meanwhile, and let them save again."""
    who = display_name(conflict.changed_by) or _("someone")
    when = (
        date_format(localtime(conflict.changed_at), "DATETIME_FORMAT")
        if conflict.changed_at
        else ""
    )
    fields = ", ".join(conflict.changed_fields) or _("unknown fields")
    form.add_error(
        None,
        _(
            "%(who)s changed this record at %(when)s (%(fields)s) while you were editing. "
            "Nothing was saved. Your input is kept below: check it against the current values "
            "and save again."
        )
        % {"who": who, "when": when, "fields": fields},
    )
    data = form.data.copy()
    data[form.add_prefix("version")] = getattr(conflict.current, "version")  # noqa: B009
    form.data = data


class Saved(NamedTuple):
    """What submit() returns when the service saved: its result (always truthy)."""

    value: Any


def submit(request, action, *forms, success: str) -> Saved | None:
    """Run `action` (a service call) for posted, valid forms.

    Saved(result of the service) when it saved (with a success message); otherwise None
    and the forms carry the errors — a service's ValidationError on its fields, a
    concurrent edit as a form error — and the view re-renders them with what the user typed.
    """
    # Every form is validated (no short-circuit), so all errors show at once.
    if request.method != "POST" or not all([form.is_valid() for form in forms]):
        return None
    try:
        result = action()
    except ConcurrentEdit as conflict:
        show_conflict(forms[0], conflict)
        return None
    except ValidationError as error:
        apply_service_errors(error, *forms)
        return None
    messages.success(request, success)
    return Saved(result)


class IdMultipleChoiceField(ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses anything but plain ids before querying.

    Django's own passes the submitted values to a `pk__in` lookup, where a number beyond
    64 bits crashes SQLite (OverflowError): a 500 instead of "not a valid choice".
    """

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) < 19):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
