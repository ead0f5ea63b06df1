"""README's "Layout" is the tree there is: every package and top-level module of the two large
apps and supervision is listed there, and everything listed exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("caseworks", "cases", "supervision")
# Django's own folders in an app, not part of its design.
NOT_LISTED = {"migrations", "management", "templatetags", "__pycache__", "__init__.py"}


def tree() -> dict[str, set[str]]:
    """App -> the names its block in README's Layout tree lists (`x.py` or `x/`)."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Layout") :]
    block = section[section.index("```") + 3 :]
    block = block[: block.index("```")]
    listed: dict[str, set[str]] = {}
    app = None
    for line in block.splitlines():
        top = re.match(r"^(\w+)/\s", line + " ")
        if top:
            app = top.group(1)
            listed.setdefault(app, set())
        elif app is not None and line.startswith("  ") and not line.startswith("   "):
            # "  name/   text" lists one package; "  a.py b.py c.py" lists modules
            words = line.split()
            if words[0].endswith("/"):
                listed[app].add(words[0])
            else:
                listed[app].update(w for w in words if w.endswith(".py"))
    return listed


def present(app: str) -> set[str]:
    names = set()
    for path in (ROOT / app).iterdir():
        if path.name in NOT_LISTED or path.name.startswith("."):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            names.add(path.name + "/")
        elif path.suffix == ".py":
            names.add(path.name)
    return names


def test_the_layout_lists_what_is_there():
    listed = tree()
    assert set(APPS) <= set(listed)
    for app in APPS:
        assert listed[app] == present(app), app


def test_it_would_notice_a_package_missing_from_the_tree():
    listed = tree()["cases"]
    assert "plan/" in listed and "page.py" in listed
    assert present("cases") - {"plan/"} != listed
