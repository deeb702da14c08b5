"""The production configuration passes Django's deployment checks: secure cookies, HSTS, SSL
redirect, no sniffing, no framing, a long secret key."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run(code: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SALESCHANNEL_")}
    environment.pop("DATABASE_URL", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests, never in a deployment
    environment.update(SALESCHANNEL_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="saleschannel.settings", **env)
    return subprocess.run([sys.executable, *code], env=environment, capture_output=True, text=True, timeout=120)


def deploy_check(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    return run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)


@pytest.mark.parametrize(
    ("env", "warning"),
    [
        ({}, "security.W004"),  # without the production block: no HSTS
        ({"SALESCHANNEL_PRODUCTION": "1", "SALESCHANNEL_SECRET_KEY": "short"}, "security.W009"),
    ],
)
def test_the_check_fails_on_a_weak_configuration(tmp_path, env, warning):
    result = deploy_check(tmp_path, **env)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_the_production_configuration_passes_check_deploy_with_secure_cookies_and_headers(tmp_path):
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
             "SECURE_HSTS_SECONDS", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "DEBUG", "SECRET_KEY"]
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str)); "
            "from django.core.management import call_command; "
            "call_command('check', deploy=True, fail_level='WARNING')")
    result = run(["-c", code], tmp_path, SALESCHANNEL_PRODUCTION="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    values = json.loads(result.stdout.strip().splitlines()[0])
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["DEBUG"] is False
    assert len(values["SECRET_KEY"]) >= 50 and len(set(values["SECRET_KEY"])) >= 5
