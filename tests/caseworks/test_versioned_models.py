"""Every record a form edits after it was created carries a version, so that a second
editor's save is refused instead of silently overwriting the first (caseworks.web.concurrency).

Nothing here is a hand-kept list of modules: the test imports every module of the project's
apps and walks what it finds, so a new editing form or update service — wherever it lives,
however it is built — fails here until it is versioned (or listed below with the reason)."""

import importlib
import inspect
import pkgutil
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models

from caseworks.models import Versioned
from caseworks.web.forms import VersionedForm

ROOT = Path(settings.BASE_DIR).resolve()

# Model forms that only ever create a record (its later changes are single state moves through
# a service that locks the row: a status is superseded by a new one, a consent is revoked; a
# document's new file goes through DocumentReplaceForm, which is versioned).
CREATE_ONLY = {"ResidenceStatusForm", "ConsentForm", "DocumentUploadForm"}
# Forms of the Django admin (caseworks.admin: superusers only, saved by ModelAdmin); the house
# setup's own form built on one is versioned and checked like every other.
ADMIN_MODULE = re.compile(r"(^|\.)admin$")
# Update services that change something other than a versioned record, and why.
NOT_VERSIONED = {
    # auth.User is Django's model without a version column: the form carries the account's
    # loaded state instead (caseworks.house.services.account_state, AccountChanged).
    "caseworks.house.services.user_update",
}
SERVICE_NAME = re.compile(r"_(update|edit|save)$")
# Entry points that start the application when imported (wsgi checks the key at import).
NOT_IMPORTED = re.compile(r"\.(migrations|wsgi|asgi|settings)(\.|$)")


def _ours(path: str) -> bool:
    """An app of this repository (not an installed package, even in a virtualenv inside it)."""
    resolved = Path(path).resolve()
    return ROOT in resolved.parents and "site-packages" not in resolved.parts


def project_modules() -> Iterator[ModuleType]:
    """Every module of every app that lives in this repository (migrations left out)."""
    seen = set()
    for config in apps.get_app_configs():
        if not _ours(config.path):
            continue
        package = importlib.import_module(config.name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}."):
            if NOT_IMPORTED.search(info.name) or info.name in seen:
                continue
            seen.add(info.name)
            yield importlib.import_module(info.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def model_forms() -> list[type[forms.ModelForm]]:
    list(project_modules())  # imported: every form class exists now
    found = {
        cls
        for cls in _subclasses(forms.ModelForm)
        if cls.__module__.split(".")[0] in _project_packages()
        and getattr(cls._meta, "model", None) is not None
        and not ADMIN_MODULE.search(cls.__module__)
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def _project_packages() -> set[str]:
    return {config.name.split(".")[0] for config in apps.get_app_configs() if _ours(config.path)}


def _project_models() -> dict[str, type[models.Model]]:
    return {
        model.__name__.lower(): model
        for model in apps.get_models()
        if model.__module__.split(".")[0] in _project_packages()
        and not model.__name__.startswith("Historical")
    }


def update_services() -> Iterator[tuple[str, inspect.Signature, type[models.Model]]]:
    """Public functions named *_update, *_edit or *_save that take a record, with the model
    of the record they change: the parameter named like the function (`team` of team_save),
    else the first one typed as a project model or named after one (the actor is auth's)."""
    by_name = _project_models()
    for module in project_modules():
        if module.__name__ == "caseworks.web.concurrency":  # versioned_update itself
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if (
                function.__module__ != module.__name__
                or name.startswith("_")
                or not SERVICE_NAME.search(name)
            ):
                continue
            try:
                hints = typing.get_type_hints(function)
            except Exception:  # a forward reference the module does not import: by name
                hints = {}
            signature = inspect.signature(function)
            taken = {}
            for parameter in signature.parameters.values():
                hint = hints.get(parameter.name)
                if isinstance(hint, type) and issubclass(hint, models.Model):
                    taken[parameter.name] = hint
                elif parameter.name in by_name:
                    taken[parameter.name] = by_name[parameter.name]
            taken = {k: m for k, m in taken.items() if m._meta.app_label != "auth"}
            if not taken:
                continue
            record = taken.get(SERVICE_NAME.sub("", name)) or next(iter(taken.values()))
            yield f"{module.__name__}.{name}", signature, record


def unversioned(form_classes) -> list[str]:
    return [
        f"{cls.__module__}.{cls.__name__} ({cls._meta.model._meta.label})"
        for cls in form_classes
        if cls.__name__ not in CREATE_ONLY
        and not (issubclass(cls, VersionedForm) and issubclass(cls._meta.model, Versioned))
    ]


def test_it_finds_the_forms_of_every_app():
    names = {cls.__name__ for cls in model_forms()}
    assert {"CaseForm", "ClientForm", "VisitForm", "EventForm", "IssueForm", "TeamForm"} <= names
    assert {"VolunteerForm", "ServiceForm", "OrganisationForm"} <= names


def test_every_editing_form_is_versioned_and_its_model_too():
    assert unversioned(model_forms()) == []


def test_it_would_have_caught_an_unversioned_event_form():
    """The event form was a plain ModelForm on a model without a version, in a module the
    earlier list of form modules did not name: found now (above), and refused."""

    class LooseEventForm(forms.ModelForm):
        class Meta:
            model = apps.get_model("community", "Event")
            fields = ["title", "place"]

    assert unversioned([LooseEventForm]) != []


def test_it_finds_the_update_services_of_every_app():
    names = {name for name, _signature, _model in update_services()}
    assert {
        "community.services.event_update",
        "community.services.issue_update",
        "volunteers.services.volunteer_update",
        "caseworks.house.services.team_save",
        "caseworks.house.services.organisation_save",
    } <= names


def test_every_update_service_compares_the_version_of_a_versioned_record():
    """An update service takes the version its form was loaded with, and the record it
    changes keeps one (versioned_update compares and raises it)."""
    unchecked = []
    for name, signature, model in update_services():
        if name in NOT_VERSIONED:
            continue
        if "expected_version" not in signature.parameters:
            unchecked.append(f"{name}: no expected_version")
        if not issubclass(model, Versioned):
            unchecked.append(f"{name}: {model._meta.label} has no version")
    assert unchecked == []
