"""E-mails about requests and offers. A mail leaves the house: it names the case's reference
number, the time and the directory place only — never a client's name, residence status,
the purpose or a free-text destination (which can name a practice, and so a diagnosis)."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from caseworks.access.roles import Role


def place(accompaniment) -> str:
    """The directory entry's name, or only the kind of destination for a free-text one."""
    if accompaniment.service is not None:
        return accompaniment.service.name
    return str(accompaniment.get_destination_kind_display())


def when(accompaniment) -> str:
    return date_format(timezone.localtime(accompaniment.appointment_at), "SHORT_DATETIME_FORMAT")


def _facts(request) -> dict:
    a = request.accompaniment
    return {"ref": a.case.reference, "when": when(a), "place": place(a)}


def coordinators():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COORDINATOR)
        .exclude(email="")
        .distinct()
    )


def _send(recipients, subject: str, body: str) -> None:
    addresses = sorted({u.email for u in recipients if u is not None and u.email})
    if not addresses:
        return

    def send():
        for address in addresses:  # one mail each: recipients do not see each other
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)


def request_created(request) -> None:
    with override("de"):
        facts = _facts(request)
        _send(
            coordinators(),
            _("Caseworks: a volunteer is needed (%(ref)s)") % facts,
            _(
                "A volunteer is asked for: case %(ref)s, %(when)s, %(place)s.\n\n"
                "Details and candidates are in Caseworks."
            )
            % facts,
        )


def offered(offer) -> None:
    with override("de"):
        facts = _facts(offer.request)
        _send(
            [offer.volunteer.user],
            _("Caseworks: can you go along on %(when)s?") % facts,
            _(
                "You are asked to go along to an appointment: %(when)s, %(place)s "
                "(case %(ref)s).\n\nPlease accept or decline in Caseworks under "
                '"My volunteering".'
            )
            % facts,
        )


def answered(offer, *, accepted: bool) -> None:
    request = offer.request
    with override("de"):
        facts = _facts(request)
        if accepted:
            _send(
                [request.requested_by, offer.offered_by, *coordinators()],
                _("Caseworks: a volunteer goes along (%(ref)s)") % facts,
                _("A volunteer accepted the accompaniment %(when)s, %(place)s (case %(ref)s).")
                % facts,
            )
            _send(
                [offer.volunteer.user],
                _("Caseworks: thank you, you go along on %(when)s") % facts,
                _("You go along: %(when)s, %(place)s (case %(ref)s). The details are in Caseworks.")
                % facts,
            )
        else:
            _send(
                [offer.offered_by],
                _("Caseworks: an offer was declined (%(ref)s)") % facts,
                _("A volunteer declined the accompaniment %(when)s, %(place)s (case %(ref)s).")
                % facts,
            )
