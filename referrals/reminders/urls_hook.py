"""The SMS gateway's callback address, mounted at /sms/ (caseworks.urls)."""

from django.urls import path

from referrals.reminders import webhook

urlpatterns = [path("hook/<str:secret>/", webhook.sms_webhook, name="sms_webhook")]
