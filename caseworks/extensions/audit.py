"""Pages other apps add for the data protection officer (the message log of the reminders):
linked from the access log (caseworks.audit.views), which cannot import them."""

from dataclasses import dataclass

from django.utils.functional import Promise

from caseworks.extensions.registry import Registry


@dataclass(frozen=True)
class DpoLink:
    """A page for the data protection officer. `url_name` must reverse without arguments and
    carry the DATA_PROTECTION gate; the page shows only the DPO's carriers."""

    url_name: str
    label: str | Promise  # lazy translations: the registry is built at import time


def _url_name(link: DpoLink) -> str:
    return link.url_name


# apps register in AppConfig.ready(), e.g. referrals:
#   register_dpo_link(DpoLink("dpo_reminder_log", _("Reminders sent (message log)")))
dpo_links: Registry[DpoLink] = Registry("audit.dpo_links", key=_url_name)
register_dpo_link = dpo_links.register
