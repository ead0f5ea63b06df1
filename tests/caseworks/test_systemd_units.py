"""The systemd units in docs/systemd: the app starts with the service's own ExecStart and
serves the sign-in page; stopping ends every process of it; each timer names a command that
exists, and every cron job README lists has a timer."""

import configparser
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.community.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "docs" / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(UNITS / name)
    return parser


def test_the_app_service_ends_all_its_processes_and_restarts():
    service = unit("caseworks.service")["Service"]
    # The whole control group ends on stop/restart: no orphaned worker keeps the port.
    assert service["KillMode"] in {"mixed", "control-group"}
    assert service["Restart"] == "on-failure"
    assert service["User"] == "caseworks" and service["UMask"] == "0077"
    assert service["EnvironmentFile"] == "/etc/caseworks/environment"
    assert service["ProtectSystem"] == "strict"


def test_every_timer_runs_a_command_that_exists():
    commands = get_commands()
    timers = sorted(UNITS.glob("caseworks-*.timer"))
    assert len(timers) >= 6
    for path in timers:
        timer = unit(path.name)["Timer"]
        match = re.fullmatch(r"caseworks-job@(\w+)\.service", timer["Unit"])
        assert match, path.name
        assert match.group(1) in commands, path.name
        assert timer["OnCalendar"], path.name


def test_every_cron_job_in_the_readme_has_a_timer():
    readme = (ROOT / "README.md").read_text()
    cron = readme[readme.index("## Cron") :]
    cron = cron[: cron.index("\n## ", 1)]
    jobs = set(re.findall(r"manage\.py (\w+)", cron))
    timed = {unit(p.name)["Timer"]["Unit"].split("@")[1][:-8] for p in UNITS.glob("*.timer")}
    assert jobs and jobs == timed


def processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every live process, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (name) "
        if fields[0] != "Z":  # a zombie has ended
            found.append((int(stat.parent.name), int(fields[1]), int(fields[2])))
    return found


@pytest.mark.slow  # gunicorn in a subprocess, as systemd starts it
@pytest.mark.no_database  # a file database of its own
def test_the_service_starts_the_app_and_stops_with_all_its_workers(tmp_path, migrated_sqlite_file):
    exec_start = shlex.split(unit("caseworks.service")["Service"]["ExecStart"])
    assert Path(exec_start[0]).name == "gunicorn"
    port = free_port()
    # The unit's command with this machine's virtualenv and a free port.
    command = [str(Path(sys.executable).parent / "gunicorn"), *exec_start[1:]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "2"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{migrated_sqlite_file}",
        "CASEWORKS_VAR_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, like the unit's control group
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as response:
                    status = response.status
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        assert 'name="username"' in page
        workers = [pid for pid, parent, _group in processes() if parent == server.pid]
        assert len(workers) == 2
    finally:
        # KillMode=mixed: SIGTERM to the master, then what is left of the group is killed.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        finally:
            with_group = [pid for pid, _parent, group in processes() if group == server.pid]
            if with_group:
                os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 0
    assert with_group == []  # the workers ended with their master
