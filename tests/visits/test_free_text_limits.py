"""Free texts have a maximum: the server refuses more (in German, keeping what was typed),
the page counts along (static/js/counter.js reads data-maxlength)."""

import inspect
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders

from cases import forms as case_forms
from caseworks.models import Service, Team
from caseworks.web.forms import FREE_TEXT_MAX, TextLengthValidator
from referrals import forms as referral_forms
from tests.visits.conftest import TODAY, in_hours, plan
from visits import forms as visit_forms
from visits.models import Visit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def german(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def visit_data(case, notes):
    return {
        "date": str(TODAY),
        "duration_minutes": "60",
        "place": "accommodation",
        "present": [c.pk for c in case.clients.all()],
        "notes": notes,
    }


def test_overlong_visit_notes_are_refused_and_kept(german, alice, opened_case):
    german.force_login(alice)
    notes = "Wohnung besichtigt. " * 249 + "Alles geklärt, gut!!"  # 5,000 characters
    assert len(notes) == 5000
    response = german.post(f"/cases/{opened_case.code}/visits/new/", visit_data(opened_case, notes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Höchstens 4000 Zeichen (jetzt 5000)." in html
    assert notes in html  # what was typed is still there
    assert Visit.objects.count() == 0


def test_notes_up_to_the_limit_are_saved(german, alice, opened_case):
    german.force_login(alice)
    notes = "x" * FREE_TEXT_MAX
    response = german.post(f"/cases/{opened_case.code}/visits/new/", visit_data(opened_case, notes))
    assert response.status_code == 302
    assert Visit.objects.get().notes == notes


def test_line_breaks_count_once_as_the_counter_counts_them(german, alice, opened_case):
    """A browser sends a line break as CR LF; the page's counter sees one character."""
    german.force_login(alice)
    notes = ("x" * 99 + "\r\n") * 40  # 4,000 characters on the screen, 4,040 on the wire
    response = german.post(f"/cases/{opened_case.code}/visits/new/", visit_data(opened_case, notes))
    assert response.status_code == 302


def test_the_form_shows_the_limit_and_loads_the_counter(german, alice, opened_case):
    german.force_login(alice)
    html = german.get(f"/cases/{opened_case.code}/visits/new/").content.decode()
    assert f'data-maxlength="{FREE_TEXT_MAX}"' in html
    assert "/static/js/counter.js" in html
    script = finders.find("js/counter.js")
    assert script and "data-maxlength" in Path(script).read_text()


FORM_MODULES = [visit_forms, referral_forms, case_forms]
KEYWORDS = {
    "companions": lambda case: get_user_model().objects.none(),
    "staff": lambda case: get_user_model().objects.none(),
    "volunteers": lambda case: get_user_model().objects.none(),
    "assignees": lambda case: get_user_model().objects.none(),
    "services": lambda case: Service.objects.none(),
    "teams": lambda case: Team.objects.all(),
    "caseworkers": lambda case: get_user_model().objects.none(),
    "colleagues": lambda case: get_user_model().objects.none(),
    "case": lambda case: case,
    "available": lambda case: set(),  # the printouts' languages with texts
    # The admin's printout texts (referrals.forms.PrintTextsForm): one text field a key
    "keys": lambda case: ["title"],
    "german": lambda case: {"title": "Titel"},
    "language": lambda case: "ar",
}


def every_form(case, instances):
    for module in FORM_MODULES:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            # A form's keyword arguments, its parents' included (InfoSheetForm passes
            # **kwargs on to PrintLanguageForm).
            parameters = {
                name
                for klass in cls.__mro__
                if "__init__" in vars(klass)
                for name in inspect.signature(klass.__init__).parameters
            }
            kwargs = {k: make(case) for k, make in KEYWORDS.items() if k in parameters}
            instance = instances.get(cls)
            if instance is not None:
                kwargs["instance"] = instance
            yield cls, cls(**kwargs)


def test_every_free_text_field_has_a_maximum(alice, opened_case):
    from visits import services

    accompaniment = plan(alice, opened_case, when=in_hours(-2))
    accompaniment = services.accompaniment_complete(
        actor=alice, accompaniment=accompaniment, expected_version=1, outcome="ok"
    )
    instances = {visit_forms.AccompanimentForm: accompaniment}  # the outcome field too
    missing = []
    for cls, form in every_form(opened_case, instances):
        for name, field in form.fields.items():
            if not isinstance(field, forms.CharField) or field.widget.is_hidden:
                continue
            limits = [v for v in field.validators if isinstance(v, TextLengthValidator)]
            if not limits or limits[0].limit > FREE_TEXT_MAX:
                missing.append(f"{cls.__name__}.{name}")
            elif isinstance(field.widget, forms.Textarea) and field.widget.attrs.get(
                "data-maxlength"
            ) != str(limits[0].limit):
                missing.append(f"{cls.__name__}.{name}: no data-maxlength")
    assert missing == []


def test_the_message_names_the_limit_and_the_length():
    validator = TextLengthValidator(10)
    with pytest.raises(forms.ValidationError) as raised:
        validator("x" * 11)
    assert raised.value.messages == ["At most 10 characters (now 11)."]
    validator("x" * 10)
    with pytest.raises(forms.ValidationError):
        validator("x" * 9 + "\r\n")  # a single line: every character counts
    TextLengthValidator(10, multiline=True)("x" * 9 + "\r\n")  # a text area: CR LF once
