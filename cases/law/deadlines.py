"""Legal deadlines: § 74 AsylG periods, counted by §§ 187, 188 BGB and moved past weekends and
public holidays in NRW (§ 222 (2) ZPO, § 193 BGB)."""

import calendar
import datetime

import holidays

# The administrative courts the service deals with sit in NRW.
HOLIDAY_REGION = {"country": "DE", "subdiv": "NW"}


def is_working_day(day: datetime.date) -> bool:
    public = holidays.country_holidays(
        HOLIDAY_REGION["country"], subdiv=HOLIDAY_REGION["subdiv"], years=day.year
    )
    return day.weekday() < 5 and day not in public


def next_working_day(day: datetime.date) -> datetime.date:
    """§ 222 (2) ZPO: a period ending on a Saturday, Sunday or public holiday ends on the next
    working day."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """§ 188 (2), (3) BGB: the day with the same number, or the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(served_on: datetime.date, *, weeks: int = 0, months: int = 0) -> datetime.date:
    """§ 187 (1) BGB: the day of service does not count; § 188 (2) BGB: a period of weeks ends
    on the weekday of the service, a period of months on the same day number."""
    end = served_on + datetime.timedelta(weeks=weeks) if weeks else served_on
    if months:
        end = add_months(end, months)
    return next_working_day(end)


# § 74 (1) AsylG: the lawsuit within two weeks of service; within one week where the
# application under § 80 (5) VwGO must be filed within one week (§ 36 (3) AsylG for
# "offensichtlich unbegründet", § 34a (2) AsylG for Dublin transfers).
LAWSUIT_WEEKS = {"manifestly_unfounded": 1, "dublin": 1}
# § 74 (2) AsylG: facts and evidence within one month of service.
GROUNDS_MONTHS = 1


def lawsuit_deadline(decision_type: str, served_on: datetime.date) -> datetime.date:
    return period_end(served_on, weeks=LAWSUIT_WEEKS.get(decision_type, 2))


def grounds_deadline(served_on: datetime.date) -> datetime.date:
    return period_end(served_on, months=GROUNDS_MONTHS)
