"""/manage/languages/: the language texts not yet assigned to a code (caseworks.house.languages),
for the administrator role (404 for anyone else)."""

from typing import cast

from django import forms
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseworks import languages
from caseworks.access.permissions import role_required
from caseworks.access.roles import Role
from caseworks.extensions.setup import ManageLink, register_manage_links
from caseworks.house import languages as services
from caseworks.web.forms import form_page

PAGE_SIZE = 50
NOTE = "note"  # the choice "keep as a note"

admin_only = role_required(Role.ADMIN)


@register_manage_links
def _links() -> list[ManageLink]:
    return [
        ManageLink(
            "manage:language_list",
            gettext_lazy("Languages not yet assigned"),
            gettext_lazy(
                "Languages typed before they were chosen from the list: assign each its "
                "language, or keep it as a note"
            ),
        )
    ]


class ResolveForm(forms.Form):
    choice = forms.ChoiceField(
        label=gettext_lazy("language"),
        widget=forms.Select(attrs={"class": "language"}),
        help_text=gettext_lazy(
            "Every record that holds this text gets the language chosen; the text goes. "
            "“Keep as a note” leaves it as typed and takes it off the open list."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["choice"]).choices = [
            ("", "—"),
            (NOTE, _("Keep as a note (no language of the list)")),
            *languages.choices(),
        ]


@admin_only
def language_list(request: HttpRequest) -> HttpResponse:
    texts = services.language_texts()
    page = Paginator(texts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "manage/language_list.html",
        {"page": page, "open": sum(1 for t in texts if t.decision is None)},
    )


@admin_only
def language_resolve(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("text", "")
    text = services.language_text_get(key=key)
    if text is None:
        raise Http404("No such language text")
    initial = {"version": text.version, "choice": ""}
    if text.decision is not None:
        initial["choice"] = text.decision.code or NOTE
    # A text the catalogue knows by now (it grew since the migration): its language offered.
    suggestion = languages.parse(text.text)
    if suggestion and text.decision is None:
        initial["choice"] = suggestion
    form = ResolveForm(request.POST or None, initial=initial)

    def save():
        choice = form.cleaned_data["choice"]
        return services.language_text_resolve(
            actor=cast(User, request.user),
            text=text.text,
            code="" if choice == NOTE else choice,
            expected_version=form.cleaned_data["version"],
        )

    return form_page(
        request,
        form,
        save=save,
        success=_("Decided: the records holding the text were changed."),
        done=reverse("manage:language_list"),
        template="manage/language_resolve.html",
        context={"form": form, "text": text, "suggestion": suggestion, "creating": True},
        creates=True,
    )
