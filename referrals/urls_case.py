"""Case-scoped consent and referral pages, mounted under /cases/<code>/."""

from django.urls import path

from referrals import print_views, views
from referrals.reminders import views as reminder_views

app_name = "referrals_case"
urlpatterns = [
    path("consents/new/", views.consent_new, name="consent_new"),
    path("consents/<uuid:consent_code>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<uuid:referral_code>/", views.referral_detail, name="referral_detail"),
    path(
        "referrals/<uuid:referral_code>/status/",
        views.referral_transition,
        name="referral_transition",
    ),
    path(
        "referrals/<uuid:referral_code>/preview.pdf",
        views.referral_preview,
        name="referral_preview",
    ),
    path("referrals/<uuid:referral_code>/print/", views.referral_print, name="referral_print"),
    path("reminders/", reminder_views.reminders_page, name="reminders"),
    path("reminders/new/", reminder_views.reminder_opt_in, name="reminder_opt_in"),
    path(
        "reminders/<uuid:opt_in_code>/end/",
        reminder_views.reminder_opt_out,
        name="reminder_opt_out",
    ),
    path("printouts/", print_views.printouts_page, name="printouts"),
    path("printouts/info-sheet/", print_views.info_sheet, name="info_sheet"),
    path("consents/<uuid:consent_code>/form.pdf", print_views.consent_form, name="consent_form"),
    path(
        "consents/<uuid:consent_code>/signed/",
        print_views.consent_signed,
        name="consent_signed",
    ),
    path(
        "accompaniments/<uuid:accompaniment_code>/slip.pdf",
        print_views.accompaniment_slip,
        name="accompaniment_slip",
    ),
    path(
        "appointments/<uuid:appointment_code>/slip.pdf",
        print_views.appointment_slip,
        name="appointment_slip",
    ),
]
