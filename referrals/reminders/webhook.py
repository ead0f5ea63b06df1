"""The SMS gateway's callbacks (caseworks.sms): delivery reports set a reminder's delivery
state; a reply "STOP" ends that number's SMS opt-ins. Public, CSRF-exempt (the gateway cannot
hold a token); the shared secret in the address (CASEWORKS_SMS_WEBHOOK_SECRET) is the
credential. Anything else — another method, a wrong or unset secret — is a 404."""

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from caseworks import sms
from caseworks.access.permissions import public
from referrals.models import Reminder, ReminderChannel
from referrals.reminders import services


@csrf_exempt
@public(methods=["GET", "POST"])  # a GET gets the same 404 as a wrong secret, not a 405
def sms_webhook(request: HttpRequest, secret: str) -> HttpResponse:
    expected = settings.CASEWORKS_SMS_WEBHOOK_SECRET
    if (
        request.method != "POST"
        or not expected
        or not hmac.compare_digest(secret.encode(), expected.encode())
    ):
        raise Http404("No such page")
    for event in sms.webhook_events(request.body):
        if isinstance(event, sms.DeliveryReport):
            Reminder.objects.filter(
                channel=ReminderChannel.SMS, provider_id=event.message_id
            ).update(delivery=event.state, delivery_at=timezone.now())
        elif isinstance(event, sms.Reply) and services.is_stop(event.text):
            services.reminder_opt_out_by_reply(sender=event.sender)
    return HttpResponse("OK", content_type="text/plain")
