"""The house setup's sub-navigation: the setup pages other apps register
(caseworks.house.services.register_manage_links) next to the core's own."""

from django import template

from caseworks.house.services import ManageLink, manage_links

register = template.Library()


@register.simple_tag
def more_manage_links() -> list[ManageLink]:
    return manage_links()
