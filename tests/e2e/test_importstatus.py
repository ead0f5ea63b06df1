"""Issue 36, item 1, as the administrator sees it: the import's dry run names per row the
residence status it will record, asks about an ambiguous one, and lists the accepted
values — readable on a phone and at a desk (no page wider than the screen, axe-clean)."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import Workbook

from caseworks.access.roles import Role
from tests.e2e.conftest import PASSWORD

HEADER = ["Haushalt", "Hauptkontakt", "Vorname", "Nachname", "Geburtsdatum"]
HEADER += ["Aufenthaltsstatus", "Status gültig ab", "Status gültig bis", "Team"]


def _file(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    born = datetime.date(1990, 5, 1)
    sheet.append(["H-1", "ja", "Amina", "Test", born, "§ 24 AufenthG", "01.03.2025", "", "Team A"])
    sheet.append(["H-1", "nein", "Omar", "Test", born, "Aufenthaltserlaubnis", "01.03.2025"])
    out = io.BytesIO()
    workbook.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_the_dry_run_shows_the_status_of_each_row_and_asks_when_unclear(journey, house, tmp_path):
    admin = get_user_model().objects.create_user("andrea", password=PASSWORD)
    admin.groups.add(Group.objects.get(name=Role.ADMIN))
    journey.sign_in("andrea")
    journey.go("/manage/import/")
    journey.page.set_input_files('input[type="file"]', _file(tmp_path / "liste.xlsx"))
    journey.submit()
    journey.check("import-dry-run")
    statuses = journey.page.locator("td.import-status")
    assert "vorübergehender Schutz, § 24 AufenthG" in statuses.nth(0).inner_text()
    assert "? siehe Hinweis" in statuses.nth(1).inner_text()
    question = journey.page.locator("tr.import-error").inner_text()
    assert "Welcher Aufenthaltsstatus ist „Aufenthaltserlaubnis“?" in question
    # The member row without a team is no error of its own: only the question.
    assert "Team" not in question
    accepted = journey.page.locator("details.import-statuses")
    assert accepted.get_attribute("open") is not None
    assert accepted.locator("code", has_text="§ 60a AufenthG").is_visible()
