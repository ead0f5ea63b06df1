from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<uuid:code>/", views.case_detail, name="detail"),
    path("<uuid:code>/history/", views.case_history_view, name="history"),
    path("<uuid:code>/edit/", views.case_edit, name="edit"),
    path("<uuid:code>/assign/", views.case_assign, name="assign"),
    path("<uuid:code>/share/", views.case_share, name="share"),
    path("<uuid:code>/close/", views.case_close, name="close"),
    path("<uuid:code>/cover/", views.case_cover, name="cover"),
    path("<uuid:code>/deadlines/", views.case_deadlines, name="deadlines"),
    path(
        "<uuid:code>/deadlines/<uuid:deadline_code>/done/",
        views.deadline_done,
        name="deadline_done",
    ),
    path("<uuid:code>/reopen/", views.case_reopen, name="reopen"),
    path("<uuid:code>/share/<int:share_id>/end/", views.case_unshare, name="unshare"),
    path("<uuid:code>/clients/new/", views.client_add, name="client_add"),
    path("<uuid:code>/clients/<uuid:client_code>/edit/", views.client_edit, name="client_edit"),
    path("<uuid:code>/clients/<uuid:client_code>/status/new/", views.status_add, name="status_add"),
    path(
        "<uuid:code>/clients/<uuid:client_code>/numbers/",
        views.client_references,
        name="client_references",
    ),
    path(
        "<uuid:code>/clients/<uuid:client_code>/numbers/<uuid:reference_code>/",
        views.client_references,
        name="client_reference_edit",
    ),
]
