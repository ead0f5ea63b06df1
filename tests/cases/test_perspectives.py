"""Each residence perspective rule at its edges: the day before and the day a threshold is
met (a fixed `today`), and what keeps it silent."""

import datetime

import pytest

from cases.law import perspectives as p
from cases.law.perspectives import Activity, Person, Status

D = datetime.date
DAY = datetime.timedelta(days=1)
BORN_2008 = D(2008, 1, 1)
END_2022 = D(2022, 12, 31)
MARCH_2025 = D(2025, 3, 1)
OCT_2017 = D(2017, 10, 31)


def rules(person, today):
    return {prompt.rule for prompt in p.prompts_for(person, today)}


# --- the date arithmetic -------------------------------------------------------------------


def test_a_period_of_years_from_29_february_ends_on_28_february():
    assert p.add_years(D(2020, 2, 29), 3) == D(2023, 2, 28)
    assert p.add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)


def test_a_period_of_months_ends_on_the_months_last_day_where_the_day_is_missing():
    assert p.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert p.add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert p.add_months(D(2025, 3, 15), 12) == D(2026, 3, 15)


# --- § 25a ----------------------------------------------------------------------------------

ARRIVED_25A = D(2022, 6, 1)
MET_25A = D(2025, 6, 1)  # three years' residence and three school years later


def young(birth=BORN_2008, *, school_from=ARRIVED_25A, kinds=("toleration",)):
    statuses = [Status("permission_to_reside", ARRIVED_25A, D(2023, 5, 31))]
    statuses += [Status(k, D(2023, 6, 1)) for k in kinds]
    return Person(
        birth_date=birth,
        statuses=statuses,
        activities=[Activity("school", school_from)],
    )


def test_25a_three_years_residence_the_day_before_and_the_day():
    person = young()
    person.activities = [Activity("qualification", D(2021, 7, 1))]
    assert "25a" not in rules(person, MET_25A - DAY)
    assert "25a" in rules(person, MET_25A)


def test_25a_school_years_the_day_before_and_the_day():
    person = young()
    assert "25a" not in rules(person, MET_25A - DAY)
    assert "25a" in rules(person, MET_25A)


def test_25a_school_periods_are_added_up():
    person = young()
    person.activities = [
        Activity("school", D(2021, 1, 1), D(2021, 12, 31)),  # 365 days
        Activity("school", D(2023, 1, 1)),  # and two years since
    ]
    assert "25a" not in rules(person, D(2024, 12, 31))
    assert "25a" in rules(person, D(2025, 6, 1))


def test_25a_three_school_years():
    # School from 2 June 2022: three years on 2 June 2025.
    person = young(school_from=D(2022, 6, 2))
    assert "25a" not in rules(person, MET_25A)
    assert "25a" in rules(person, MET_25A + DAY)


def test_25a_a_qualification_instead_of_school_years():
    person = young(school_from=D(2025, 1, 1))
    assert "25a" not in rules(person, MET_25A)
    person.activities.append(Activity("qualification", D(2025, 5, 1)))
    assert "25a" in rules(person, MET_25A)


def test_25a_from_the_14th_birthday():
    fourteen = D(2025, 8, 1)
    person = young(birth=D(2011, 8, 1))
    assert "25a" not in rules(person, fourteen - DAY)
    assert "25a" in rules(person, fourteen)


def test_25a_until_the_day_before_the_27th_birthday():
    twenty_seven = D(2026, 3, 10)
    person = young(birth=D(1999, 3, 10))
    assert "25a" in rules(person, twenty_seven - DAY)
    assert "25a" not in rules(person, twenty_seven)


def test_25a_needs_a_toleration_now():
    person = young(kinds=("residence_permit_humanitarian",))
    assert "25a" not in rules(person, MET_25A)


def test_25a_not_for_a_section_60b_toleration():
    person = young(kinds=("toleration_unclear_identity",))
    assert "25a" not in rules(person, MET_25A)


def test_25a_no_birth_date_no_prompt():
    person = young(birth=None)
    assert "25a" not in rules(person, MET_25A)


# --- § 25b ----------------------------------------------------------------------------------

ARRIVED_25B = D(2019, 4, 1)


def adult(*, children=False):
    return Person(
        birth_date=D(1985, 5, 5),
        statuses=[
            Status("arrival_certificate", ARRIVED_25B, D(2019, 6, 30)),
            Status("permission_to_reside", D(2019, 7, 1), D(2021, 3, 31)),
            Status("toleration", D(2021, 4, 1)),
        ],
        has_minor_children=children,
    )


def test_25b_six_years_the_day_before_and_the_day():
    met = D(2025, 4, 1)
    assert "25b" not in rules(adult(), met - DAY)
    assert "25b" in rules(adult(), met)


def test_25b_four_years_with_minor_children():
    met = D(2023, 4, 1)
    assert "25b" not in rules(adult(children=True), met - DAY)
    assert "25b" in rules(adult(children=True), met)
    assert "25b" not in rules(adult(), met)


def test_25b_a_break_in_the_residence_restarts_the_count():
    person = adult()
    # A border crossing certificate (obliged to leave) in between: counted from after it.
    person.statuses.insert(2, Status("border_crossing_certificate", D(2021, 3, 1)))
    person.statuses[-1] = Status("toleration", D(2021, 4, 1))
    assert "25b" not in rules(person, D(2025, 4, 1))
    assert "25b" in rules(person, D(2027, 4, 1))


def test_25b_not_for_a_minor():
    person = adult()
    person.birth_date = D(2010, 1, 1)
    assert "25b" not in rules(person, D(2026, 1, 1))


# --- § 60c ----------------------------------------------------------------------------------


def trainee(**kw):
    return Person(
        birth_date=D(2000, 1, 1),
        statuses=[
            Status("permission_to_reside", D(2021, 1, 1), D(2025, 1, 14)),
            Status("toleration", D(2025, 1, 15)),
        ],
        activities=[Activity("training", D(2024, 9, 1))],
        **kw,
    )


def test_60c_three_months_toleration_the_day_before_and_the_day():
    met = D(2025, 4, 15)
    assert "60c" not in rules(trainee(), met - DAY)
    assert "60c" in rules(trainee(), met)


def test_60c_needs_training_running_today():
    person = trainee()
    person.activities = [Activity("training", D(2024, 9, 1), D(2025, 3, 31))]
    assert "60c" not in rules(person, D(2025, 5, 1))


def test_60c_not_for_a_section_60b_toleration():
    person = trainee()
    person.statuses[-1] = Status("toleration_unclear_identity", D(2025, 1, 15))
    assert "60c" not in rules(person, D(2025, 6, 1))


# --- § 60d ----------------------------------------------------------------------------------


def worker(*, entered=END_2022, hours=20, employed=MARCH_2025):
    return Person(
        birth_date=D(1990, 1, 1),
        statuses=[
            Status("permission_to_reside", entered, D(2024, 11, 30)),
            Status("toleration", D(2024, 12, 1)),
        ],
        activities=[Activity("employment", employed, None, hours)],
    )


def test_60d_twelve_months_employment_the_day_before_and_the_day():
    met = D(2026, 3, 1)  # toleration since 1 Dec 2024 is twelve months old already
    assert "60d" not in rules(worker(), met - DAY)
    assert "60d" in rules(worker(), met)


def test_60d_twelve_months_toleration_the_day_before_and_the_day():
    met = D(2025, 12, 1)
    person = worker(employed=D(2024, 1, 1))
    assert "60d" not in rules(person, met - DAY)
    assert "60d" in rules(person, met)


def test_60d_twenty_hours_a_week():
    assert "60d" not in rules(worker(hours=19), D(2026, 6, 1))
    assert "60d" in rules(worker(hours=20), D(2026, 6, 1))


def test_60d_entry_by_31_december_2022():
    assert "60d" in rules(worker(entered=D(2022, 12, 31)), D(2026, 6, 1))
    assert "60d" not in rules(worker(entered=D(2023, 1, 1)), D(2026, 6, 1))


# --- § 104c ---------------------------------------------------------------------------------


def tolerated_on_key_date(since=OCT_2017):
    return Person(
        birth_date=D(1980, 1, 1),
        statuses=[
            Status("permission_to_reside", since, D(2020, 12, 31)),
            Status("toleration", D(2021, 1, 1)),
        ],
    )


def test_104c_five_years_by_the_key_date():
    # Five years are met on 31 Oct 2022 by an arrival on 31 Oct 2017, not one day later.
    assert "104c" in rules(tolerated_on_key_date(D(2017, 10, 31)), D(2025, 6, 1))
    assert "104c" not in rules(tolerated_on_key_date(D(2017, 11, 1)), D(2025, 6, 1))


def test_104c_expired_after_31_december_2025():
    person = tolerated_on_key_date()
    assert "104c" in rules(person, p.DATE_104C_ENDS)
    assert "104c" not in rules(person, p.DATE_104C_ENDS + DAY)


def test_104c_no_longer_prompts_today():
    """Today (30 Nov 2026 when this was written) the application deadline has passed."""
    assert "104c" not in rules(tolerated_on_key_date(), D(2026, 11, 30))


def test_104c_needs_a_toleration_on_the_key_date():
    person = tolerated_on_key_date()
    person.statuses[-1] = Status("toleration", D(2022, 11, 1))
    assert "104c" not in rules(person, D(2025, 6, 1))


# --- wording --------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", p.RULES)
def test_every_rule_names_its_legal_basis_and_never_promises(rule):
    assert rule.__name__.startswith("rule_")
    persons = [young(), adult(children=True), trainee(), worker(), tolerated_on_key_date()]
    days = (D(2025, 12, 1), D(2026, 6, 1))
    prompts = [x for person in persons for day in days if (x := rule(person, day))]
    assert prompts, rule.__name__
    for prompt in prompts:
        assert prompt.basis.startswith("§ ") and "AufenthG" in prompt.basis
        assert "may" in str(prompt.text)
