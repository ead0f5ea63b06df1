from django.contrib import admin
from django.urls import include, path

from caseworks import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", include("cases.urls")),
    path("cases/<uuid:code>/", include("visits.urls_case")),
    path("cases/<uuid:code>/", include("referrals.urls_case")),
    path("referrals/", include("referrals.urls")),
    path("supervision/", include("cases.urls_supervision")),
    path("visits/", include("visits.urls")),
    path("volunteer/", include("visits.urls_volunteer")),
    path("admin/", admin.site.urls),
]
