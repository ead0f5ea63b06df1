from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("print-queue/", views.print_queue, name="print_queue"),
    path("print-queue/archive/", views.letter_archive, name="letter_archive"),
    path("<uuid:code>/letter.pdf", views.letter_pdf, name="letter_pdf"),
]
