"""The letter and printout texts under /manage/texts/, listed on the setup overview."""

from django.utils.translation import gettext_lazy as _

from caseworks.extensions.setup import ManageLink, register_manage_links


@register_manage_links
def _links() -> list[ManageLink]:
    return [
        ManageLink(
            "referrals_manage:index",
            _("Letter texts"),
            _(
                "Referral letters per organisation and service category, and the translated "
                "texts of the printed forms."
            ),
        )
    ]
