"""Every setting read from the environment is in README's configuration table: an operator
learns what can be set from there, and nine settings were once read but documented nowhere."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = {"envbool", "envint", "envsecret", "envlist", "get", "getenv"}


def environment_names() -> set[str]:
    """The names settings.py reads: env*("NAME", …) and os.environ.get("NAME", …)."""
    tree = ast.parse((ROOT / "caseworks" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if (
            name in READERS
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]+", first.value)
        ):
            names.add(first.value)
    return names


def test_it_reads_settings_from_the_environment():
    names = environment_names()
    assert {"SECRET_KEY", "DATABASE_URL", "CASEWORKS_DOCUMENT_MAX_MB"} <= names


def test_every_environment_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    missing = sorted(n for n in environment_names() if f"`{n}`" not in section)
    assert missing == []
