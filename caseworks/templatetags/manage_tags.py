"""The house setup's sub-navigation: the setup pages other apps register
(caseworks.extensions.setup) next to the core's own."""

from django import template

from caseworks.extensions.setup import ManageLink, manage_links

register = template.Library()


@register.simple_tag
def more_manage_links() -> list[ManageLink]:
    return manage_links()
