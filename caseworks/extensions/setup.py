"""The setup pages other apps add under /manage/ (the letter texts, the needs catalogue, the
import of caseloads): listed on the setup overview and in its sub-navigation
(caseworks.house.views, caseworks.templatetags.manage_tags)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

from caseworks.extensions.registry import Registry


@dataclass(frozen=True)
class ManageLink:
    """A setup page another app adds under /manage/, listed on the overview. `url_name` must
    reverse without arguments and carry the administrator gate."""

    url_name: str
    label: str | Promise  # lazy translations: the registry is built at import time
    description: str | Promise = ""


# provider() -> [ManageLink]; apps register in AppConfig.ready(), e.g. referrals:
#   register_manage_links(lambda: [ManageLink("referrals_manage:index", _("Letter texts"))])
setup_links: Registry[Callable[[], Iterable[ManageLink]]] = Registry("setup.setup_links")
register_manage_links = setup_links.register


def manage_links() -> list[ManageLink]:
    return [link for provider in setup_links for link in provider()]
