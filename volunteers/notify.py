"""E-mails about requests and offers. A mail leaves the house: it says "accompaniment", the
case's reference number and the time (visits.outbound) — never a client's name, residence
status, the purpose, the note for the volunteer, the place or the kind of destination (a
directory entry named "Ausländerbehörde" or "Hausarztpraxis" is as telling as the kind)."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from caseworks.access.roles import Role
from visits.outbound import outside_facts


def _facts(request) -> dict[str, str]:
    return outside_facts(request.accompaniment)


def coordinators():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COORDINATOR)
        .exclude(email="")
        .distinct()
    )


def send_each(recipients, subject: str, body: str) -> None:
    """One mail to each recipient (a user, or an address), after the commit."""
    addresses = sorted(
        {r if isinstance(r, str) else r.email for r in recipients if r is not None} - {""}
    )
    if not addresses:
        return

    def send():
        for address in addresses:  # one mail each: recipients do not see each other
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)


def request_created(request) -> None:
    with override("de"):
        facts = _facts(request)
        send_each(
            coordinators(),
            _("Caseworks: a volunteer is needed (%(ref)s)") % facts,
            _(
                "A volunteer is asked for: case %(ref)s, %(when)s.\n\n"
                "The place, details and candidates are in Caseworks."
            )
            % facts,
        )


def offered(offer) -> None:
    with override("de"):
        facts = _facts(offer.request)
        send_each(
            [offer.volunteer.user],
            _("Caseworks: can you go along on %(when)s?") % facts,
            _(
                "You are asked to go along to an appointment: %(when)s (case %(ref)s).\n\n"
                "The place and details are in Caseworks: please accept or decline there under "
                '"My volunteering".'
            )
            % facts,
        )


def answered(offer, *, accepted: bool) -> None:
    request = offer.request
    with override("de"):
        facts = _facts(request)
        if accepted:
            send_each(
                [request.requested_by, offer.offered_by, *coordinators()],
                _("Caseworks: a volunteer goes along (%(ref)s)") % facts,
                _("A volunteer accepted the accompaniment %(when)s (case %(ref)s).") % facts,
            )
            send_each(
                [offer.volunteer.user],
                _("Caseworks: thank you, you go along on %(when)s") % facts,
                _("You go along: %(when)s (case %(ref)s). The place and details are in Caseworks.")
                % facts,
            )
        else:
            send_each(
                [offer.offered_by],
                _("Caseworks: an offer was declined (%(ref)s)") % facts,
                _("A volunteer declined the accompaniment %(when)s (case %(ref)s).") % facts,
            )
