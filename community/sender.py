"""Who the newsletter is from, for its public pages and every mail it sends: the house, the
carriers behind it, and their imprint and privacy notice (§ 5 DDG, Art. 13 DSGVO). Plain
strings from the settings and the carriers' names: nothing of a case can reach a mail."""

from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings

from caseworks.models import Organisation


@dataclass(frozen=True)
class Sender:
    house: str
    carriers: tuple[str, ...]
    imprint_url: str
    privacy_url: str

    @property
    def name(self) -> str:
        """The name mail programs show: the house, else its carriers."""
        return self.house or " · ".join(self.carriers)

    @property
    def from_email(self) -> str:
        """DEFAULT_FROM_EMAIL with the house's name in front (kept when it has one)."""
        shown, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        return formataddr((shown or self.name, address)) if (shown or self.name) else address


def newsletter_sender() -> Sender:
    return Sender(
        house=settings.CASEWORKS_HOUSE_NAME,
        carriers=tuple(Organisation.objects.order_by("name").values_list("name", flat=True)),
        imprint_url=settings.CASEWORKS_IMPRINT_URL,
        privacy_url=settings.CASEWORKS_PRIVACY_URL,
    )
