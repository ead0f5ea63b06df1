"""No text is translated at import time: a label computed with gettext() while a module loads
is in the default language for every later request (an English page showed "(Rollen)")."""

import ast
from pathlib import Path

from django.conf import settings

EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def eager_calls(source: str) -> list[int]:
    tree = ast.parse(source)
    names = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }
    found = []

    def visit(node):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return  # runs later, in a request's language
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for node in tree.body:
        visit(node)
    return found


def test_the_check_finds_an_eager_label():
    source = 'from django.utils.translation import gettext as _\nLABELS = {"a": _("roles")}\n'
    assert eager_calls(source) == [2]
    assert eager_calls(source.replace("gettext as _", "gettext_lazy as _")) == []


def test_no_module_translates_at_import_time():
    base = Path(settings.BASE_DIR)
    apps = ["caseworks", "cases", "documents", "visits", "referrals", "volunteers", "community"]
    wrong = [
        f"{path.relative_to(base)}:{line}"
        for app in apps
        for path in sorted((base / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line in eager_calls(path.read_text(encoding="utf-8"))
    ]
    assert wrong == []
