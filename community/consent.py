"""The consent wording shown on the subscription pages, versioned: each Consent row keeps the
version and a hash of the exact text shown (Art. 7 (1) DSGVO: the controller must be able to
show what was agreed to). Change the wording only by adding a new version."""

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import override

CURRENT_VERSION = "2026-11"


def consent_text(version: str = CURRENT_VERSION) -> str:
    texts = {
        "2026-11": _(
            "Yes, I want to receive the newsletter of the volunteer network by e-mail "
            "(about once a month) on the topics I chose. I can withdraw this consent at any "
            "time, through the link in every newsletter. My address is used for nothing else "
            "and not passed on."
        ),
    }
    return texts[version]


def consent_text_sha256(language: str, version: str = CURRENT_VERSION) -> str:
    with override(language):
        return hashlib.sha256(consent_text(version).encode()).hexdigest()
