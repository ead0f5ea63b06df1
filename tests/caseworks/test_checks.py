import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from caseworks.checks import check_keys

ROOT = Path(__file__).resolve().parents[2]


def ids(errors):
    return {e.id for e in errors}


@override_settings(SECRET_KEY="", CASEWORKS_FIELD_KEYS=[], CASEWORKS_BLIND_INDEX_KEY=None)
def test_it_reports_every_missing_key():
    assert ids(check_keys()) == {"caseworks.E001", "caseworks.E002", "caseworks.E004"}


@override_settings(CASEWORKS_FIELD_KEYS=["not-a-fernet-key"])
def test_it_reports_a_malformed_field_key():
    assert "caseworks.E003" in ids(check_keys())


def test_it_passes_with_the_test_keys():
    assert check_keys() == []


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """Without the suite's own variables (pyproject.toml): the production defaults, in an
    instance folder of the test's own (nothing is shared with another process)."""
    test_only = (
        "CASEWORKS_",
        "SECRET_KEY",
        "DEBUG",
        "DATABASE_URL",
        "SECURE_",
        "STATIC_",
        "ALLOWED_HOSTS",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(test_only)}
    env.update(
        DEBUG="False",
        ALLOWED_HOSTS="caseworks.example.org",
        CASEWORKS_VAR_DIR=str(var_dir),
        **extra,
    )
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_it_refuses_to_start_in_production_without_keys(tmp_path):
    result = run(["manage.py", "check"], production_env(tmp_path))
    assert result.returncode != 0
    assert "CASEWORKS_FIELD_KEYS is not set" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_the_wsgi_application_refuses_to_start_without_keys(tmp_path):
    result = run(["-c", "import caseworks.wsgi"], production_env(tmp_path))
    assert result.returncode != 0
    assert "Caseworks will not start" in result.stderr


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(
        tmp_path,
        SECRET_KEY="x7#kP2!vQ9z$Lm4@Rt8^Wn1&Ys6*Hb3(Jd5)Fg0-Ce9=Ua2+Xo7_Ik4~Ep1",
        CASEWORKS_FIELD_KEYS=Fernet.generate_key().decode(),
        CASEWORKS_BLIND_INDEX_KEY="b" * 20 + "lind-index-key-for-the-deploy-check",
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
@pytest.mark.no_database
def test_makemigrations_needs_no_keys_but_migrate_does(tmp_path):
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    result = run(
        ["manage.py", "migrate", "--plan"],
        production_env(tmp_path, DATABASE_URL="sqlite://:memory:"),
    )
    assert result.returncode != 0
    assert "CASEWORKS_FIELD_KEYS is not set" in result.stderr
