"""Configuration is read in one way (a Django setting, else the environment), and importing
the settings writes no file: the key files are generated when a key is first used."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.home import number_setting, setting

ROOT = Path(__file__).resolve().parents[1]


def test_a_django_setting_wins_over_the_environment_and_the_environment_over_the_default(settings, monkeypatch):
    monkeypatch.delenv("SALESCHANNEL_SYNC_OVERLAP_MINUTES", raising=False)
    assert SyncPolicy.from_settings().overlap == dt.timedelta(minutes=10)
    monkeypatch.setenv("SALESCHANNEL_SYNC_OVERLAP_MINUTES", "30")
    assert SyncPolicy.from_settings().overlap == dt.timedelta(minutes=30)
    settings.SALESCHANNEL_SYNC_OVERLAP_MINUTES = 45
    assert SyncPolicy.from_settings().overlap == dt.timedelta(minutes=45)
    assert setting("SALESCHANNEL_NOT_CONFIGURED", "fallback") == "fallback"


def test_a_number_setting_names_itself_when_refused(settings):
    settings.SALESCHANNEL_LEASE_SECONDS = "-1"
    with pytest.raises(ValueError, match="SALESCHANNEL_LEASE_SECONDS"):
        number_setting("SALESCHANNEL_LEASE_SECONDS", 60.0)


def _python(home: Path, code: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESCHANNEL_", "DJANGO_"))}
    env.update(SALESCHANNEL_HOME=str(home), DJANGO_SETTINGS_MODULE="saleschannel.settings")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=120)


def test_importing_the_settings_writes_no_key_file_and_the_first_use_makes_them(tmp_path):
    home = tmp_path / "home"
    _python(home, "import django; django.setup(); import saleschannel.urls")
    assert not [p for p in home.rglob("*") if p.is_file()]
    _python(home, "import django; django.setup()\n"
                  "from saleschannel.channel.crypto import secret_decrypt, secret_encrypt\n"
                  "from django.core import signing\n"
                  "assert secret_decrypt(secret_encrypt('x')) == 'x'\n"
                  "assert signing.loads(signing.dumps('y')) == 'y'\n")
    assert {p.name for p in home.iterdir() if p.is_file()} == {"fernet.key", "secret.key"}


def test_processes_starting_together_agree_on_one_generated_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCHANNEL_")}
    env["SALESCHANNEL_HOME"] = str(tmp_path)
    code = "from saleschannel.home import key_from_env_or_file as k; print(k('SALESCHANNEL_FERNET_KEY', 'fernet.key', 'fernet'))"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    keys = {proc.communicate(timeout=120)[0].strip() for proc in procs}
    assert keys == {(tmp_path / "fernet.key").read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["fernet.key"]  # no temporary file left behind
    assert (tmp_path / "fernet.key").stat().st_mode & 0o777 == 0o600
