"""The house setup (`/manage/`), for the administrator role (caseworks.house.views)."""

from django.urls import path

from caseworks.house import views

app_name = "manage"

urlpatterns = [
    path("", views.index, name="index"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/activate/", views.user_activate, name="user_activate"),
    path("users/<int:user_id>/password/", views.user_password, name="user_password"),
    path(
        "users/<int:user_id>/enrolment-code/",
        views.user_enrolment_code,
        name="user_enrolment_code",
    ),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "organisations/<int:organisation_id>/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/", views.team_edit, name="team_edit"),
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
