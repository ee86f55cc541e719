"""Production settings: `facturier serve` refuses to start without a real SECRET_KEY, `check --deploy` is
clean, and HTTPS behind a proxy is configured from the environment."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.e2e.server import ROOT

CLI = [sys.executable, "-m", "facturier.cli"]


def _env(tmp_path, **values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(FACTURIER_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["FACTURIER_SEAL_KEYS"] = f"prod-test:{secrets.token_urlsafe(32)}"  # production needs a seal key
    env.update(values)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("secret_key", [None, "short", "dev-insecure-change-me-in-production"])
def test_serve_refuses_to_start_without_a_real_secret_key(tmp_path, secret_key):
    # given no SECRET_KEY, a short one or the development one, and no settings module chosen
    env = _env(tmp_path, **({"SECRET_KEY": secret_key} if secret_key else {}))
    # when `facturier serve` is started
    done = _run([*CLI, "serve", "--port", "1"], env)
    # then it stops at once with one line saying what to set, and a non-zero exit code
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: SECRET_KEY must be set")
    assert "--dev" in lines[0]
    assert not (tmp_path / "db.sqlite3").exists(), "nothing is done before the configuration is checked"


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    # given production settings and a real secret key
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=secrets.token_urlsafe(50))
    # when Django's deployment checklist runs
    done = _run([*CLI, "manage", "check", "--deploy", "--fail-level", "WARNING"], env)
    # then it finds nothing to warn about
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.DEBUG)"
)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, "None True 31536000 False"),
        ({"FACTURIER_BEHIND_TLS_PROXY": "1"}, "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 False"),
        ({"FACTURIER_SSL_REDIRECT": "0"}, "None False 31536000 False"),
    ],
)
def test_the_proxy_header_is_trusted_only_when_the_environment_says_so(tmp_path, flags, expected):
    # given production settings with the environment flags given
    env = _env(
        tmp_path, DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=secrets.token_urlsafe(50), **flags
    )
    # when the settings are loaded
    done = _run([sys.executable, "-c", PRINT_SETTINGS], env)
    # then X-Forwarded-Proto is trusted behind a TLS proxy only, and the HTTPS redirect can be turned off
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
