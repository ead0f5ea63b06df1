"""Form helpers shared by every app: service errors onto forms, concurrent-edit messages,
the limits of dates and free texts, codes posted in bulk."""

import datetime
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseworks.web import stash
from caseworks.web.concurrency import ConcurrentEdit
from caseworks.web.submissions import AlreadySaved, earlier_submission, submission_record
from caseworks.web.users import display_name

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

_Result = TypeVar("_Result")


class DateInput(django_forms.DateInput):
    """The browser's own date picker (also on phones); the value travels as ISO date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionedForm(django_forms.ModelForm):  # type: ignore[type-arg]  # any model
    """Carries the version the user loaded, so a concurrent save can be detected
    (caseworks.web.concurrency.versioned_update compares it). `update` is the one way a view
    hands the form to its service: the loaded version and the cleaned fields."""

    version = django_forms.IntegerField(widget=django_forms.HiddenInput, required=False)
    # Fields the form writes but never shows what is stored: a volunteer adds a note to an
    # accompaniment whose outcome (written by the caseworker) they may not read.
    write_only: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        for name in self.write_only:
            self.initial.pop(name, None)

    def changes(self) -> dict[str, Any]:
        """The cleaned fields, without the version (which the service compares)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def update(self, service: Callable[..., _Result], /, **kwargs: Any) -> _Result:
        """Call an update service with the version this form was loaded with and its fields:
        `form.update(services.contact_update, actor=user, contact=contact)`."""
        return service(**kwargs, expected_version=self.cleaned_data["version"], **self.changes())


def error_text(error: ValidationError) -> str:
    """A service's ValidationError as one sentence for a flash message."""
    return " ".join(error.messages)


def apply_service_errors(error: ValidationError, *forms: django_forms.BaseForm) -> None:
    """Attach a service's ValidationError to the form that has the field, else as non-field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = next((f for f in forms if field in f.fields), forms[0])
            for e in errors:
                target.add_error(field if field in target.fields else None, e)
    else:
        for message in error.messages:
            forms[0].add_error(None, message)


def show_conflict(form: django_forms.BaseForm, conflict: ConcurrentEdit) -> None:
    """Keep what the user typed, say who changed what meanwhile, and let them save again."""
    who = display_name(conflict.changed_by) or _("someone")
    when = (
        date_format(localtime(conflict.changed_at), "DATETIME_FORMAT")
        if conflict.changed_at
        else ""
    )
    values = {"who": who, "when": when, "fields": ", ".join(conflict.changed_fields)}
    if conflict.changed_fields:
        message = _(
            "%(who)s changed this record at %(when)s (%(fields)s) while you were editing. "
            "Nothing was saved. Your input is kept below: check it against the current values "
            "and save again."
        )
    else:  # the history does not say which fields: say no more than is known
        message = _(
            "%(who)s changed this record at %(when)s while you were editing. Nothing was "
            "saved. Your input is kept below: check it against the current values and save "
            "again."
        )
    form.add_error(None, message % values)
    posted: Any = form.data  # a QueryDict (typed as any mapping)
    data = posted.copy()
    data[form.add_prefix("version")] = getattr(conflict.current, "version")  # noqa: B009
    form.data = data


def form_page(
    request: HttpRequest,
    *forms: django_forms.BaseForm,
    save: Callable[[], _Result],
    success: str,
    done: str | Callable[[_Result], str],
    template: str,
    context: dict[str, Any],
    creates: bool = False,
    read_only: "str | _StrPromise | None" = None,
) -> HttpResponse:
    """A page with forms that save through one service call, the one way every form page
    works: GET shows the forms; a valid POST runs `save` once (submit: a service error or a
    concurrent edit lands on the form, with what the user typed) and redirects to `done`
    (an address, or the saved result -> its address); otherwise the page again.

    `creates=True` for a form that creates a record: the same form sent again (a double tap,
    Back and save) shows "already saved" with a link to done(result) (caseworks.web.submissions).
    `read_only`: why nothing may be saved here (a closed case, cases.page): every field is
    shown disabled with that reason, and a POST saves nothing and says why.
    What the user typed before their session ended comes back on the GET after signing in
    again (caseworks.web.stash), not saved.
    """
    if request.method == "GET":
        stash.restore(request, *forms)
    if read_only:
        for form in forms:
            for field in form.fields.values():
                field.disabled = True
        if request.method == "POST":
            messages.error(request, read_only)
        return render(request, template, {**context, "read_only": read_only})
    saved = submit(
        request,
        save,
        *forms,
        success=success,
        creates=(done if callable(done) else (lambda _result: done)) if creates else None,
    )
    if saved:
        return redirect(done(saved.value) if callable(done) else done)
    return render(request, template, context)


class Saved(NamedTuple):
    """What submit() returns when the service saved: its result (always truthy)."""

    value: Any


def submit(
    request: HttpRequest,
    action: Callable[[], Any],
    *forms: django_forms.BaseForm,
    success: str,
    creates: Callable[[Any], str] | None = None,
) -> Saved | None:
    """Run `action` (a service call) for posted, valid forms.

    Saved(result of the service) when it saved (with a success message); otherwise None
    and the forms carry the errors — a service's ValidationError on its fields, a
    concurrent edit as a form error — and the view re-renders them with what the user typed.

    A create form passes `creates` (the result -> the address of its page): the same form
    sent again (Back and "save", a double tap) then shows "already saved" with that link
    instead of saving twice (caseworks.web.submissions; raises AlreadySaved, which the
    middleware answers).
    """
    if request.method != "POST":
        return None
    if creates is not None:
        earlier = earlier_submission(request)
        if earlier is not None:
            raise AlreadySaved(earlier)
    # Every form is validated (no short-circuit), so all errors show at once.
    if not all([form.is_valid() for form in forms]):
        return None
    try:
        with transaction.atomic():
            result = action()
            if creates is not None:
                submission_record(request, url=creates(result))
    except ConcurrentEdit as conflict:
        show_conflict(forms[0], conflict)
        return None
    except ValidationError as error:
        apply_service_errors(error, *forms)
        return None
    messages.success(request, success)
    return Saved(result)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying plainly what went wrong: the name or the password (the
    same words whether the name exists or not)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "The user name or the password was wrong. Please check both and try again "
            "(capital letters count)."
        ),
    }


class IdMultipleChoiceField(ModelMultipleChoiceField):  # type: ignore[type-arg]  # any model
    """A ModelMultipleChoiceField that refuses anything but plain ids before querying.

    Django's own passes the submitted values to a `pk__in` lookup, where a number beyond
    64 bits crashes SQLite (OverflowError): a 500 instead of "not a valid choice".
    """

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) < 19):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        # Django's private method, absent from the type stubs.
        return super()._check_values(value)  # type: ignore[misc]


# --- dates ---------------------------------------------------------------------------------------

# The dates a filter accepts. Outside them no record exists, and the arithmetic behind a
# filter (the day after a period, a local day's instants in UTC) overflows at the ends of
# Python's calendar (0001-01-01, 9999-12-31): a 500 instead of a message.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class BoundedDateField(django_forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE (or the bounds given), picked with the
    browser's date picker, which is told the same bounds."""

    widget = DateInput
    default_error_messages = {
        "out_of_range": gettext_lazy("Enter a date between %(min)s and %(max)s."),
    }

    def __init__(
        self,
        *,
        earliest: datetime.date = EARLIEST_DATE,
        latest: datetime.date = LATEST_DATE,
        **kwargs: Any,
    ) -> None:
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def widget_attrs(self, widget: django_forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", None) == "date":
            attrs.update(min=self.earliest.isoformat(), max=self.latest.isoformat())
        return attrs

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not self.earliest <= value <= self.latest:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={
                    "min": date_format(self.earliest, "SHORT_DATE_FORMAT"),
                    "max": date_format(self.latest, "SHORT_DATE_FORMAT"),
                },
            )


# --- codes posted in bulk ------------------------------------------------------------------------


class CodeListField(django_forms.Field):
    """The codes (UUIDs) of the rows ticked in a list, all posted under one name.

    Each must be a UUID before a query sees it: `code__in=["x"]` raises in the database
    layer (a 500). The field only parses; which of the codes the user may act on is the
    selector's business (filter its queryset with `code__in`).
    """

    widget = django_forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": django_forms.UUIDField.default_error_messages["invalid"],
        "invalid_list": ModelMultipleChoiceField.default_error_messages["invalid_list"],
    }

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if value in self.empty_values:
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        codes: list[uuid.UUID] = []
        for item in value:
            try:
                codes.append(uuid.UUID(str(item)))
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return codes


# --- free texts ----------------------------------------------------------------------------------

# How long a free text may be: the one place for it. Notes, outcomes, reasons, purposes and
# letter texts are a few paragraphs; a line (a title, a place, a name) is short.
FREE_TEXT_MAX = 4000
SHORT_TEXT_MAX = 300


@deconstructible
class TextLengthValidator:
    """At most `limit` characters, with a message that says how many there are.

    In a multi-line text a line break counts once, as the page's counter (static/js/
    counter.js) counts it: the browser sends it as CR LF.
    """

    message = gettext_lazy("At most %(max)s characters (now %(n)s).")
    code = "max_length"

    def __init__(self, limit: int, *, multiline: bool = False) -> None:
        self.limit = limit
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        text = str(value)
        if self.multiline:
            text = text.replace("\r\n", "\n")
        if len(text) > self.limit:
            raise ValidationError(
                self.message, code=self.code, params={"max": self.limit, "n": len(text)}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextLengthValidator) and (self.limit, self.multiline) == (
            other.limit,
            other.multiline,
        )

    def __hash__(self) -> int:
        return hash((self.limit, self.multiline))


def limit_text(field: django_forms.CharField, limit: int) -> django_forms.CharField:
    """Give a text field its maximum: refused above it with TextLengthValidator's message.

    A text area gets `data-maxlength` for the counter instead of the browser's `maxlength`,
    which would cut a pasted text off without a word; a single line keeps `maxlength`.
    """
    multiline = isinstance(field.widget, django_forms.Textarea)
    field.max_length = limit
    field.validators = [
        v for v in field.validators if not isinstance(v, MaxLengthValidator | TextLengthValidator)
    ] + [TextLengthValidator(limit, multiline=multiline)]
    if multiline:
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-maxlength"] = str(limit)
    elif not field.widget.is_hidden:
        field.widget.attrs["maxlength"] = str(limit)
    return field


def free_text_field(
    *, limit: int = FREE_TEXT_MAX, rows: int = 3, **kwargs: Any
) -> django_forms.CharField:
    """A multi-line free text (a text area) of at most `limit` characters."""
    kwargs.setdefault("widget", django_forms.Textarea(attrs={"rows": rows}))
    return limit_text(django_forms.CharField(**kwargs), limit)


class TextLimits:
    """Put first among a form's bases: every text field of the form gets its maximum.

    A field's own max_length (a model's) counts when it is lower; otherwise FREE_TEXT_MAX
    for a text area, SHORT_TEXT_MAX for a line. `text_limits` names other limits by field.
    A field added after __init__ (one that exists only when editing) uses free_text_field().
    """

    text_limits: ClassVar[dict[str, int]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, django_forms.Field] = self.fields  # type: ignore[attr-defined]
        for name, field in fields.items():
            if not isinstance(field, django_forms.CharField):
                continue
            if name in self.text_limits:
                limit = self.text_limits[name]
            else:
                default = (
                    FREE_TEXT_MAX
                    if isinstance(field.widget, django_forms.Textarea)
                    else SHORT_TEXT_MAX
                )
                limit = min(field.max_length, default) if field.max_length else default
            limit_text(field, limit)
