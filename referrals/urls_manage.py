"""The administrator's texts, mounted at /manage/texts/ (referrals.manage_views)."""

from django.urls import path

from referrals import manage_views as views

app_name = "referrals_manage"
urlpatterns = [
    path("", views.texts_index, name="index"),
    path("letters/new/", views.letter_text_edit, name="letter_text_new"),
    path("letters/<uuid:text_code>/", views.letter_text_edit, name="letter_text_edit"),
    path(
        "printouts/<slug:printout>/<slug:language>/",
        views.print_texts_edit,
        name="print_texts_edit",
    ),
]
