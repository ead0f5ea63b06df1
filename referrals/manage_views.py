"""The administrator's texts (`/manage/texts/`): the referral-letter texts per organisation and
service category, and the translations of the client printouts with their review state. One
gate (the administrator role, else 404); referrals.services validates, saves and logs."""

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from caseworks.access.permissions import role_required
from caseworks.access.roles import Role
from caseworks.web.forms import form_page
from referrals import printtexts, services
from referrals.forms import LetterTextForm, PrintTextsForm
from referrals.models import LetterText, PrintText
from referrals.placeholders import LETTER_PLACEHOLDERS

admin_only = role_required(Role.ADMIN)
PRINTOUT_LABELS = {
    printtexts.CONSENT: "Schweigepflichtentbindung",
    printtexts.INFO_SHEET: "Information zum Datenschutz",
    printtexts.SLIP: "Terminzettel",
    printtexts.REMINDER: "Erinnerungen per SMS und E-Mail",
    printtexts.COMMON: "Hinweis zur Übersetzung",
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _keys(printout: str) -> list[str]:
    return list(printtexts.DEFAULTS["de"][printout])


@role_required(Role.ADMIN, methods=["GET"])
def texts_index(request: HttpRequest) -> HttpResponse:
    letter_texts = LetterText.objects.select_related("organisation").order_by(
        "organisation__name", "category"
    )
    state: dict[tuple[str, str], list[PrintText]] = {}
    for row in PrintText.objects.only("printout", "language", "review"):
        state.setdefault((row.printout, row.language), []).append(row)
    grid = []
    for printout, label in PRINTOUT_LABELS.items():
        cells = []
        for code, _own, german in printtexts.LANGUAGES:
            rows = state.get((printout, code), [])
            cells.append(
                {
                    "code": code,
                    "name": german,
                    "count": len(rows),
                    "needed": len(_keys(printout)),
                    "reviewed": sum(r.is_reviewed for r in rows),
                }
            )
        grid.append({"printout": printout, "label": label, "cells": cells})
    return render(
        request,
        "referrals/manage/texts_index.html",
        {"letter_texts": letter_texts, "grid": grid, "languages": printtexts.LANGUAGES},
    )


@admin_only
def letter_text_edit(request: HttpRequest, text_code: uuid.UUID | None = None) -> HttpResponse:
    text = get_object_or_404(LetterText, code=text_code) if text_code is not None else LetterText()
    initial = {} if text.pk else {"subject": "Vermittlung: {name}"}
    form = LetterTextForm(request.POST or None, instance=text, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "delete" and text.pk:
        services.letter_text_delete(actor=_actor(request), text=text)
        messages.success(request, _("Text removed: the default text applies again."))
        return redirect("referrals_manage:index")
    return form_page(
        request,
        form,
        save=lambda: form.update(services.letter_text_save, actor=_actor(request), text=text),
        success=_("Letter text saved."),
        done=reverse("referrals_manage:index"),
        template="referrals/manage/letter_text_form.html",
        context={"form": form, "text": text, "placeholders": LETTER_PLACEHOLDERS},
        creates=text.pk is None,
    )


@admin_only
def print_texts_edit(request: HttpRequest, printout: str, language: str) -> HttpResponse:
    if printout not in PRINTOUT_LABELS or language not in printtexts.LANGUAGE_CODES:
        raise Http404("No such printout or language")
    keys = _keys(printout)
    rows = {r.key: r for r in PrintText.objects.filter(printout=printout, language=language)}
    german = (
        {r.key: r.text for r in PrintText.objects.filter(printout=printout, language="de")}
        if language != "de"
        else {}
    )
    reviewed_now = len(rows) == len(keys) and all(r.is_reviewed for r in rows.values())
    initial: dict[str, str | bool] = {f"text_{k}": rows[k].text if k in rows else "" for k in keys}
    initial["reviewed"] = reviewed_now
    initial["reviewed_by"] = next((r.reviewed_by for r in rows.values() if r.reviewed_by), "")
    form = PrintTextsForm(
        request.POST or None, initial=initial, keys=keys, german=german, language=language
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.print_texts_save(
                actor=_actor(request),
                printout=printout,
                language=language,
                texts=form.texts(),
                reviewed=form.cleaned_data.get("reviewed", False),
                reviewed_by=form.cleaned_data.get("reviewed_by", ""),
            )
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                name = field if field in form.fields else f"text_{field}"
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Texts saved."))
            return redirect("referrals_manage:index")
    placeholders = {k: sorted(printtexts.allowed_placeholders(printout, k)) for k in keys}
    return render(
        request,
        "referrals/manage/print_texts_form.html",
        {
            "form": form,
            "printout_label": PRINTOUT_LABELS[printout],
            "language_name": printtexts.GERMAN_NAMES[language],
            "reviewed_now": reviewed_now,
            "rtl": language in printtexts.RTL,
            "placeholders": placeholders,
        },
    )
