"""The data protection officer's message log of the reminders, mounted under /audit/ beside
the access log (caseworks.urls) and linked from it (caseworks.extensions.audit)."""

from django.urls import path

from referrals.reminders import views

urlpatterns = [path("reminders/", views.dpo_reminder_log, name="dpo_reminder_log")]
