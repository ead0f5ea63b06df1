"""The SMS gateways (caseworks.sms): a console/file backend for the demo and seven.io's HTTP
API (https://docs.seven.io/en/rest-api/endpoints/sms) for a house that sends for real.

seven.io, as used here:
- send: POST {CASEWORKS_SMS_API_URL} with the header `X-Api-Key`, a JSON body
  {"to": "+49…", "text": "…", "from": "<sender>"} and `Accept: application/json`; the answer
  {"success": "100", "messages": [{"id": "…", "success": true}]} (other codes: refused).
- webhooks: a JSON POST {"webhook_event": "dlr", "data": {"msg_id": "…", "status":
  "DELIVERED"}} for a delivery report, {"webhook_event": "sms_mo", "data": {"sender": "49…",
  "text": "STOP"}} for a reply.
"""

import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from caseworks.sms import DeliveryReport, Refused, Reply, Unknown, normalise_number

logger = logging.getLogger("caseworks.sms")


class ConsoleBackend:
    """The demo's gateway: each SMS a line in CASEWORKS_SMS_FILE (JSON), else in the log."""

    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        if settings.CASEWORKS_SMS_FILE:
            with Path(settings.CASEWORKS_SMS_FILE).open("a", encoding="utf-8") as f:
                f.write(json.dumps({"id": message_id, "to": to, "text": text}) + "\n")
        else:
            logger.info("SMS %s (%s characters)", message_id, len(text))
        return message_id

    def webhook_events(self, body: bytes) -> Iterator[DeliveryReport | Reply]:
        return _seven_events(body)  # the demo accepts the same callbacks


DELIVERY_STATES = {
    "DELIVERED": "delivered",
    "NOTDELIVERED": "failed",
    "EXPIRED": "failed",
    "REJECTED": "failed",
    "FAILED": "failed",
}


def _seven_events(body: bytes) -> Iterator[DeliveryReport | Reply]:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        return
    data = payload["data"]
    event = payload.get("webhook_event")
    if event == "dlr" and data.get("msg_id"):
        state = DELIVERY_STATES.get(str(data.get("status", "")).upper(), "pending")
        yield DeliveryReport(message_id=str(data["msg_id"]), state=state)
    elif event == "sms_mo" and data.get("sender"):
        yield Reply(sender=normalise_number(str(data["sender"])), text=str(data.get("text", "")))


class SevenBackend:
    """seven.io's JSON API (see the module's text)."""

    def __init__(self) -> None:
        self.url = settings.CASEWORKS_SMS_API_URL
        self.key = settings.CASEWORKS_SMS_API_KEY
        self.sender = settings.CASEWORKS_SMS_SENDER
        self.timeout = settings.CASEWORKS_SMS_TIMEOUT

    def send(self, to: str, text: str) -> str:
        body = json.dumps({"to": to, "text": text, "from": self.sender}).encode()
        # The URL's scheme is http(s), checked in caseworks.settings.
        request = urllib.request.Request(  # noqa: S310
            self.url,
            data=body,
            method="POST",
            headers={
                "X-Api-Key": self.key,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read()
        except urllib.error.HTTPError as error:  # an error status: not taken
            raise Refused(f"HTTP {error.code}") from None
        except urllib.error.URLError as error:  # no connection: the request never went out
            raise Refused(type(error.reason).__name__) from None
        except (TimeoutError, ConnectionError) as error:
            # The request went out and no answer came: it may have been sent.
            raise Unknown(type(error).__name__) from None
        try:
            payload = json.loads(answer)
        except ValueError:
            raise Unknown("unreadable answer") from None
        messages = payload.get("messages") or [{}]
        if str(payload.get("success")) != "100" or not messages[0].get("id"):
            raise Refused(f"code {payload.get('success')}")
        return str(messages[0]["id"])

    def webhook_events(self, body: bytes) -> Iterator[DeliveryReport | Reply]:
        return _seven_events(body)


BACKENDS = {"console": ConsoleBackend, "seven": SevenBackend}
