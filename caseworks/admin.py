"""Admins manage organisations, teams and users; they see no case content here, and no
secret of the second factor (seeds and codes are not readable anywhere)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from caseworks.audit import insider  # noqa: F401
from caseworks.models import (
    AccessLog,
    AuthenticatorDevice,
    Organisation,
    RecoveryCodeDevice,
    Service,
    Team,
)


def superusers_only(request) -> bool:
    """The Django admin is for superusers (technical upkeep); the administrator role sets the
    house up in-app (`/manage/`, caseworks.house.views)."""
    return bool(request.user.is_active and request.user.is_superuser)


# AdminSite.has_permission asks is_staff; the default site is set up by django.contrib.admin,
# so it is narrowed here rather than replaced.
admin.site.has_permission = superusers_only  # type: ignore[method-assign]


class OrganisationForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=_("logo (PNG or SVG, at most 500 kB)"),
        required=False,
        help_text=_("Printed at the top right of referral letters."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "protection_law",
            "retention_years",
            "dpo_contact",
            "supervisory_authority",
            "letter_sender",
            "address",
            "phone",
            "email",
            "website",
            "letter_footer",
        ]

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if upload is None:
            return None
        if upload.size > 500_000:
            raise forms.ValidationError(_("The logo is larger than 500 kB."))
        head = upload.read(512)
        upload.seek(0)
        if head.startswith(b"\x89PNG"):
            return "image/png", upload.read()
        if b"<svg" in head.lower():
            return "image/svg+xml", upload.read()
        raise forms.ValidationError(_("Please upload a PNG or SVG file."))

    def save(self, commit=True):
        organisation = super().save(commit=False)
        if self.cleaned_data.get("logo_file"):
            organisation.logo_type, organisation.logo = self.cleaned_data["logo_file"]
        if commit:
            organisation.save()
        return organisation


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    form = OrganisationForm
    list_display = ["name", "short_name", "protection_law", "retention_years"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    filter_horizontal = ["supervisors", "members"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_label"]
    date_hierarchy = "at"
    # Admins see who opened what, never case content: a cover reason may describe a person.
    fields = ["at", "username", "action", "object_type", "object_code", "object_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "category", "phone", "is_active"]
    list_filter = ["kind", "category", "is_active"]
    search_fields = ["name", "address"]


class DeviceAdmin(admin.ModelAdmin):
    """A user's second factor: who has which, and deleting it when a phone is lost (the user
    then enrols again with an enrolment code). Nothing can be added or edited here, and no
    seed or code is shown."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(AuthenticatorDevice, DeviceAdmin)
admin.site.register(RecoveryCodeDevice, DeviceAdmin)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CaseworksUserAdmin(UserAdmin):
    """No enrolment codes here: a code shown on a superuser's screen would let them set up a
    second factor for someone else. Codes go by mail to the person only, from /manage/
    (Users → enrolment code, or Reset access); the first administrator's from create_admin."""

    actions: list[str] = []
