"""The project's URLs. Every view carries one gate from caseworks.access.permissions (a test walks
this resolver to check it); Django's own views are wrapped here, so they answer only the
methods they use, like ours. Apps are included by name, so this package imports none of them.
The error pages (400, 403, 404, 500) are caseworks.views', in German with the navigation."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from caseworks import views
from caseworks.access.permissions import public, signed_in
from caseworks.audit import views as dataprotection_views
from caseworks.house import directory_views
from caseworks.signin import views as signin_views
from caseworks.web.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    # Sign-in. No administrator sets a password: a reset in /manage/ mails the person a
    # one-time code, with which they set their password and second factor (accounts/reset/).
    path(
        "accounts/login/",
        public(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, authentication_form=SignInForm
            )
        ),
        name="login",
    ),
    path(
        "accounts/logout/",
        public(auth_views.LogoutView.as_view(), methods=["POST"]),
        name="logout",
    ),
    path(
        "accounts/password/",
        signed_in(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        signed_in(auth_views.PasswordChangeDoneView.as_view(), methods=["GET", "HEAD"]),
        name="password_change_done",
    ),
    path("accounts/reset/", signin_views.reset, name="access_reset"),
    path("accounts/code/", signin_views.verify, name="otp_verify"),
    path("accounts/code/setup/", signin_views.setup, name="otp_setup"),
    path("accounts/security/", signin_views.security, name="security"),
    path("accounts/session/", signin_views.session_alive, name="session_alive"),
    # Sign-in with a carrier's directory (OpenID Connect): caseworks.house.directory_views.
    path(
        "accounts/directory/<uuid:organisation_code>/",
        directory_views.directory_start,
        name="directory_start",
    ),
    path(
        "accounts/directory/<uuid:organisation_code>/callback/",
        directory_views.directory_callback,
        name="directory_callback",
    ),
    path(
        "accounts/directory/<uuid:organisation_code>/backchannel-logout/",
        directory_views.directory_backchannel_logout,
        name="directory_backchannel_logout",
    ),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("cases/", include("cases.urls")),
    path("cases/", include("cases.privacy.urls")),
    path("cases/", include("cases.moving.urls")),
    path("audit/", dataprotection_views.access_log, name="access_log"),
    path("audit/", include("cases.privacy.urls_audit")),
    path("audit/", include("referrals.reminders.urls_audit")),
    path(
        "audit/arrangement.pdf",
        dataprotection_views.joint_arrangement,
        name="joint_arrangement",
    ),
    path("cases/<uuid:code>/", include("visits.urls_case")),
    path("cases/<uuid:code>/", include("referrals.urls_case")),
    path("cases/<uuid:code>/documents/", include("documents.urls_case")),
    path("referrals/", include("referrals.urls")),
    path("sms/", include("referrals.reminders.urls_hook")),
    path("supervision/", include("supervision.urls")),
    path("visits/", include("visits.urls")),
    path("volunteer/", include("visits.urls_volunteer")),
    path("events/", include("community.urls_events")),
    path("newsletter/", include("community.urls_newsletter")),
    path("volunteers/", include("volunteers.urls")),
    path("cases/<uuid:code>/", include("volunteers.urls_case")),
    path("manage/import/", include("cases.intake.urls")),
    path("manage/", include("caseworks.house.urls")),
    path("manage/texts/", include("referrals.urls_manage")),
    path("", include("cases.plan.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "caseworks.views.bad_request"
handler403 = "caseworks.views.permission_denied"
handler404 = "caseworks.views.page_not_found"
handler500 = "caseworks.views.server_error"
