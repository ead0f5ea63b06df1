"""Run the suite at a chosen moment, to prove it does not depend on the day or hour it runs.

`CASEWORKS_TEST_NOW=2026-12-10T23:55` (local time, Europe/Berlin) sets the clock of every test
process to that moment before anything is imported, and lets it run on from there
(time-machine, `tick=True`). `.ci/run` runs the date-sensitive tests once for each weekday, late
in the evening; without the variable the clock is the host's. Loaded as a plugin (`-p
tests.clock` in pytest's addopts) so that it starts before the conftests compute their TODAY.
Subprocess tests start a fresh interpreter and see the host's clock.
"""

import datetime
import os
import zoneinfo

import time_machine

_NOW = os.environ.get("CASEWORKS_TEST_NOW", "").strip()

if _NOW:
    _moment = datetime.datetime.fromisoformat(_NOW)
    if _moment.tzinfo is None:
        _moment = _moment.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    time_machine.travel(_moment, tick=True).start()


def pytest_report_header(config):
    if _NOW:
        return f"clock: CASEWORKS_TEST_NOW={_NOW} ({datetime.datetime.now():%A %Y-%m-%d %H:%M})"
    return None
