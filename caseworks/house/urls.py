"""The house setup (`/manage/`), for the administrator role (caseworks.house.views)."""

from django.urls import path

from caseworks.house import directory_views, language_views, views

app_name = "manage"

urlpatterns = [
    path("", views.index, name="index"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:user_code>/", views.user_detail, name="user_detail"),
    path("users/<uuid:user_code>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<uuid:user_code>/activate/", views.user_activate, name="user_activate"),
    path("users/<uuid:user_code>/password/", views.user_password, name="user_password"),
    path(
        "users/<uuid:user_code>/enrolment-code/",
        views.user_enrolment_code,
        name="user_enrolment_code",
    ),
    path("users/<uuid:user_code>/unlock/", views.user_unlock, name="user_unlock"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<uuid:request_code>/", views.request_detail, name="request_detail"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "organisations/<uuid:organisation_code>/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path("directory/", directory_views.directory_list, name="directory_list"),
    path(
        "directory/<uuid:organisation_code>/",
        directory_views.directory_edit,
        name="directory_edit",
    ),
    path(
        "directory/<uuid:organisation_code>/mappings/",
        directory_views.directory_mappings,
        name="directory_mappings",
    ),
    path("languages/", language_views.language_list, name="language_list"),
    path("languages/resolve/", language_views.language_resolve, name="language_resolve"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<uuid:team_code>/", views.team_edit, name="team_edit"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<uuid:service_code>/", views.service_edit, name="service_edit"),
    path(
        "services/<uuid:service_code>/deactivate/",
        views.service_deactivate,
        name="service_deactivate",
    ),
    path(
        "services/<uuid:service_code>/activate/",
        views.service_activate,
        name="service_activate",
    ),
]
