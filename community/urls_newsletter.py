"""/newsletter/: composing and sending (coordinator), the volunteer's opt-in, and the public
pages (`/newsletter/subscribe/` is part of the public URL contract)."""

from django.urls import path

from community import views

app_name = "newsletter"
urlpatterns = [
    path("", views.issue_list, name="list"),
    path("new/", views.issue_new, name="new"),
    path("me/", views.my_newsletter, name="me"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe_sent"),
    path("confirm/<str:confirm_token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:unsubscribe_token>/", views.unsubscribe, name="unsubscribe"),
    path("<uuid:issue_code>/", views.issue_detail, name="detail"),
    path("<uuid:issue_code>/edit/", views.issue_edit, name="edit"),
    path("<uuid:issue_code>/send/", views.issue_send, name="send"),
]
