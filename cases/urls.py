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
    path(
        "<uuid:code>/deadlines/<uuid:deadline_code>/undo/",
        views.deadline_undo,
        name="deadline_undo",
    ),
    path("<uuid:code>/contacts/new/", views.contact_new, name="contact_new"),
    path("<uuid:code>/contacts/<uuid:contact_code>/", views.contact_edit, name="contact_edit"),
    path("<uuid:code>/tasks/new/", views.task_new, name="task_new"),
    path("<uuid:code>/tasks/<uuid:task_code>/", views.task_edit, name="task_edit"),
    path("<uuid:code>/tasks/<uuid:task_code>/done/", views.task_done, name="task_done"),
    path("<uuid:code>/appointments/new/", views.appointment_new, name="appointment_new"),
    path(
        "<uuid:code>/appointments/<uuid:appointment_code>/",
        views.appointment_edit,
        name="appointment_edit",
    ),
    path(
        "<uuid:code>/appointments/<uuid:appointment_code>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("<uuid:code>/reopen/", views.case_reopen, name="reopen"),
    path("<uuid:code>/share/<uuid:share_code>/end/", views.case_unshare, name="unshare"),
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
