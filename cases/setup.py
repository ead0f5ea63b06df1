"""The cases app's setup pages under /manage/: listed on the setup overview and in its
sub-navigation (caseworks.extensions.setup)."""

from django.utils.translation import gettext_lazy as _

from caseworks.extensions.setup import ManageLink, register_manage_links


def _links() -> list[ManageLink]:
    return [
        ManageLink(
            "plan:category_list",
            _("Needs catalogue"),
            _("The categories of needs and goals caseworkers choose from."),
        ),
        ManageLink(
            "manage_import:upload",
            _("Import cases"),
            _("Existing caseloads from a spreadsheet (CSV or XLSX), with a dry run first."),
        ),
    ]


register_manage_links(_links)
