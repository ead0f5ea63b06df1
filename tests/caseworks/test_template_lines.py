"""No template line over 300 characters: a longer line hides a mapping that belongs in Python
(a label per kind or status) or markup nobody can review in a diff.

Checked per directory of templates/; the directories not yet listed are being shortened and
join the list when they pass."""

from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LIMIT = 300
CHECKED = ["visits", "documents", "referrals", "caseworks", "registration"]


def long_lines(directory: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if len(line) > LIMIT:
                found.append(f"{path.relative_to(directory)}:{number} ({len(line)} characters)")
    return found


@pytest.mark.parametrize("name", CHECKED)
def test_it_has_no_template_line_over_the_limit(name: str) -> None:
    directory = TEMPLATES / name
    assert directory.is_dir(), f"templates/{name} is gone: update CHECKED"
    assert long_lines(directory) == [], f"in templates/{name}/"


def test_it_finds_a_long_line(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("short\n" + "x" * (LIMIT + 1) + "\n", encoding="utf-8")
    (tmp_path / "ok.html").write_text("y" * LIMIT + "\n", encoding="utf-8")
    assert len(long_lines(tmp_path)) == 1
