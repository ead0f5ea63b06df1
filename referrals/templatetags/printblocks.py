"""{% printblock %} … {% endprintblock %}: a part of a printout that reads the same for every
person it is printed for (referrals.pdfrender.Blocks lays it out once and keeps it). Only
texts go inside, never a person's data: what is inside is kept between printouts."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


class PrintBlockNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        fragment = self.nodelist.render(context)  # rendered, so escaped where it must be
        blocks = context.get("printblocks")
        if blocks is None:
            return format_html('<div class="block">{}</div>', fragment)
        return blocks.place(fragment)


@register.tag
def printblock(parser: template.base.Parser, token: template.base.Token) -> PrintBlockNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("printblock takes no arguments")
    nodelist = parser.parse(("endprintblock",))
    parser.delete_first_token()
    return PrintBlockNode(nodelist)
