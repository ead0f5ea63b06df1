"""A newsletter issue as mail: Markdown → sanitised HTML and plain text.

The render function receives the issue's subject and body, the subscriber's unsubscribe
address and who sends it (community.sender: names and addresses from the settings) — nothing
else. Its templates are rendered without a request or context processors,
so no case, client or user object can reach a newsletter (tests/community/test_rendering.py;
import-linter forbids community → cases).
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from community.sender import Sender

# CommonMark with raw HTML off: typed HTML is shown as text, never passed on. Images are off
# too (a remote image in a mail is a tracking pixel); markdown-it refuses javascript:,
# vbscript:, file: and data: links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")


def markdown_html(text: str) -> str:
    return _markdown.render(text)


def plain_text(text: str) -> str:
    """Markdown is written to be read as it is: the plain-text part is the source with
    trailing spaces and runs of blank lines removed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def render_issue(
    *, subject: str, body: str, unsubscribe_url: str, sender: Sender
) -> tuple[str, str]:
    """(plain text, HTML) of one mail, signed with the sender's name, carriers, imprint and
    privacy notice."""
    context = {
        "subject": subject,
        "html_body": mark_safe(markdown_html(body)),  # noqa: S308 (escaped by markdown-it)
        "text_body": plain_text(body),
        "unsubscribe_url": unsubscribe_url,
        "sender": sender,
    }
    text = render_to_string("community/mail/issue.txt", context)
    html = render_to_string("community/mail/issue.html", context)
    return text, html
