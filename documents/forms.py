"""Upload, replace, delete and deadline forms. Uploaded files are sanitised in clean(): the
form is valid only with a Sanitised file (documents.sanitise), or says why not."""

import uuid
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    Client,
    ClientReference,
    Deadline,
    DecisionType,
    ResidenceStatus,
)
from caseworks.web.forms import BoundedDateField, TextLimits, VersionedForm, free_text_field
from documents.models import Document, DocumentKind
from documents.sanitise import Sanitised, sanitise, too_large


def max_upload_bytes() -> int:
    return int(settings.CASEWORKS_DOCUMENT_MAX_MB) * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (the pages of one document)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Empty files are refused by documents.sanitise, with its own reason.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if data in self.empty_values or data == [None]:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


def _camera_field() -> MultipleFileField:
    # On a phone, `capture` opens the camera straight away (no file chooser): a second
    # field, so that choosing a PDF or an earlier photo stays possible.
    return MultipleFileField(
        required=False,
        label=_("Take photos"),
        widget=MultipleFileInput(
            attrs={"accept": "image/*", "capture": "environment", "multiple": True}
        ),
        help_text=_("Photograph each page; the pages become one PDF."),
    )


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        required=False,
        label=_("Or choose files"),
        widget=MultipleFileInput(
            attrs={
                "accept": "image/*,application/pdf",
                "multiple": True,
                "data-dropzone": "true",
            }
        ),
        help_text=_(
            "One PDF, or photos or scans of the pages (JPEG, PNG, WebP, HEIC); at most "
            "%(mb)s MB together. Office files and web pages are not accepted."
        ),
    )


class FileFormMixin(forms.BaseForm):
    """Reads the two file fields, sanitises them into `cleaned_data["upload"]`."""

    too_large = False  # set by the view when the upload handler stopped reading

    def clean_upload(self, cleaned: dict[str, Any]) -> None:
        if self.too_large:
            self.add_error("file", too_large(max_upload_bytes()))
            return
        uploads = list(cleaned.get("camera") or []) + list(cleaned.get("file") or [])
        try:
            cleaned["upload"] = sanitise(
                [upload.read() for upload in uploads], max_bytes=max_upload_bytes()
            )
        except forms.ValidationError as error:
            self.add_error("file", error)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


class DocumentUploadForm(FileFormMixin, TextLimits, forms.ModelForm):
    camera = _camera_field()
    file = _files_field()
    served_on = BoundedDateField(
        label=_("Served on (day of service, Zustellung)"),
        required=False,
        help_text=_(
            "For a BAMF decision: the day it was delivered, as on the envelope or the "
            "delivery slip. The § 74 AsylG deadlines are counted from it; you confirm them "
            "on the next page."
        ),
    )
    decision_type = forms.ChoiceField(
        label=_("Decision"), choices=[("", "—"), *DecisionType.choices], required=False
    )
    dated_on = BoundedDateField(label=_("Date of the document"), required=False)

    class Meta:
        model = Document
        fields = ["kind", "title", "client", "dated_on", "status", "reference", "deadline"]
        help_texts = {
            "title": _("A few words, e.g. “Bescheid vom Bundesamt” — no diagnoses."),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _file_help(self)
        client = self._choices("client", case.clients.all(), _person_name)
        client.empty_label = _("the whole household")
        self._choices(
            "status",
            ResidenceStatus.objects.filter(client__case=case)
            .select_related("client")
            .defer("document_number", "client__phone", "client__email", "client__birth_date"),
            _status_label,
        )
        self._choices(
            "reference",
            ClientReference.objects.filter(client__case=case)
            .select_related("client")
            .defer("number", "client__phone", "client__email", "client__birth_date"),
            _reference_label,
        )
        self._choices(
            "deadline", Deadline.objects.filter(case=case, done_on__isnull=True), _deadline_label
        )
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "—"), *DocumentKind.choices]

    def _choices(
        self, name: str, queryset: Any, label: Callable[[Any], str]
    ) -> forms.ModelChoiceField:
        field = cast(forms.ModelChoiceField, self.fields[name])
        field.queryset = queryset
        field.label_from_instance = label  # type: ignore[method-assign,assignment]
        return field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_upload(cleaned)
        if (
            cleaned.get("kind") == DocumentKind.BAMF_DECISION
            and cleaned.get("served_on")
            and not cleaned.get("decision_type")
        ):
            self.add_error("decision_type", _("Choose the kind of decision."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "upload": data["upload"],
            "kind": data["kind"],
            "title": data["title"],
            "dated_on": data.get("dated_on"),
            "client": data.get("client"),
            "status": data.get("status"),
            "reference": data.get("reference"),
            "deadline": data.get("deadline"),
            "served_on": data.get("served_on"),
            "decision_type": data.get("decision_type") or "",
        }

    @staticmethod
    def initial_from(query: Any, case: Case) -> dict[str, Any]:
        """Preselection from the page the upload was started on (?client=<code>&kind=…)."""
        initial: dict[str, Any] = {}
        if (kind := query.get("kind")) in DocumentKind.values:
            initial["kind"] = kind
        lookups = (
            ("client", case.clients.all()),
            ("status", ResidenceStatus.objects.filter(client__case=case)),
            ("reference", ClientReference.objects.filter(client__case=case)),
            ("deadline", Deadline.objects.filter(case=case)),
        )
        for name, queryset in lookups:
            code = _uuid(query.get(name))
            if code is not None:
                found = queryset.filter(code=code).values_list("pk", flat=True).first()
                if found is not None:
                    initial[name] = found
        return initial


class DocumentReplaceForm(FileFormMixin, VersionedForm):
    """A new file for a document (document_replace), with the version it was loaded at."""

    camera = _camera_field()
    file = _files_field()

    class Meta:
        model = Document
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _file_help(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_upload(cleaned)
        return cleaned

    @property
    def upload(self) -> Sanitised:
        return cast(Sanitised, self.cleaned_data["upload"])

    def changes(self) -> dict[str, Any]:
        """What document_replace takes: the sanitised file (not the raw uploads)."""
        return {"upload": self.upload}


class DocumentDeleteForm(VersionedForm):
    """Why a document is deleted (document_delete), with the version it was loaded at."""

    reason = free_text_field(
        label=_("Why is it deleted?"),
        limit=300,
        rows=2,
        help_text=_("E.g. “uploaded to the wrong family”, “the person asked for it”."),
    )

    class Meta:
        model = Document
        fields: list[str] = []


class DeadlineConfirmForm(VersionedForm):
    """The decision and its day of service, confirmed (document_record_deadlines)."""

    decision_type = forms.ChoiceField(label=_("Decision"), choices=DecisionType.choices)
    served_on = BoundedDateField(label=_("Served on (day of service, Zustellung)"))

    class Meta:
        model = Document
        fields: list[str] = []


def _file_help(form: forms.BaseForm) -> None:
    field = form.fields["file"]
    field.help_text = str(field.help_text) % {"mb": settings.CASEWORKS_DOCUMENT_MAX_MB}


def _person_name(client: Client) -> str:
    return client.full_name


def _status_label(status: ResidenceStatus) -> str:
    until = f" ({status.valid_until:%d.%m.%Y})" if status.valid_until else ""
    return f"{status.client.first_name}: {status.get_kind_display()}{until}"


def _reference_label(reference: ClientReference) -> str:
    return f"{reference.client.first_name}: {reference.get_kind_display()}"


def _deadline_label(deadline: Deadline) -> str:
    return f"{deadline.label} ({deadline.due_on:%d.%m.%Y})"
