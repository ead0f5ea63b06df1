"""{% printblock %} … {% endprintblock %}: a part of a printout that reads the same for every
person it is printed for (referrals.pdfrender.Blocks lays it out once and keeps it between
printouts). So it sees only the printout's texts and the organisation, never the person's
data: it is rendered with those names of the context alone (SHOWN)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# What a block may show: the texts (German and the client's language), the organisation's
# name and contacts, and the loop over the texts' paragraphs.
SHOWN = (
    "t",
    "de",
    "xx",
    "bilingual",
    "lang",
    "dir",
    "script",
    "language_name",
    "kind",
    "organisation",
    "organisation_lines",
    "contact_line",
    "contact_lines",
    "dpo_lines",
    "de_text",
    "xx_text",
    "forloop",
)


class PrintBlockNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        shown = context.new({name: context[name] for name in SHOWN if name in context})
        fragment = self.nodelist.render(shown)  # rendered, so escaped where it must be
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
    if nodelist.get_nodes_by_type(PrintBlockNode):
        raise template.TemplateSyntaxError("a printblock cannot hold another")
    return PrintBlockNode(nodelist)
