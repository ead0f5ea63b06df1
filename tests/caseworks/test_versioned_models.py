"""Every record a form edits after it was created carries a version, so that a second
editor's save is refused instead of silently overwriting the first (caseworks.web.concurrency).
The list comes from the apps' forms: a new editing form fails here until it is versioned or
listed as creating records only."""

import importlib
import inspect

from django import forms

from caseworks.web.forms import VersionedForm

FORM_MODULES = ["cases.forms", "visits.forms", "referrals.forms"]
# Forms that only ever create a record (its later changes are single state moves through a
# service that locks the row: a status is superseded by a new one, a consent is revoked).
CREATE_ONLY = {"ResidenceStatusForm", "ConsentForm"}


def model_forms():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.ModelForm) and cls.__module__ == module_name:
                yield name, cls


def test_it_finds_the_forms():
    names = {name for name, _cls in model_forms()}
    assert {"CaseForm", "ClientForm", "VisitForm", "ClientReferenceForm"} <= names


def test_every_editing_form_is_versioned_and_its_model_has_a_version():
    unversioned = []
    for name, cls in model_forms():
        if name in CREATE_ONLY:
            continue
        model = cls._meta.model
        fields = {f.name for f in model._meta.concrete_fields}
        if not issubclass(cls, VersionedForm) or "version" not in fields:
            unversioned.append(f"{name} ({model._meta.label})")
    assert unversioned == []
