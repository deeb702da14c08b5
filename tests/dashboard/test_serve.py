"""``saleschannel serve`` and ``saleschannel api-token``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from saleschannel.cli import main
from tests.childproc import read_line
from tests.dashboard import factories


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_serve_answers_dashboard_api_and_static_files_then_stops_on_sigterm(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "SALESCHANNEL_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "saleschannel", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = read_line(proc, timeout=180)  # migrations run first, then it listens
        assert line.startswith(f"Serving on http://127.0.0.1:{port}/"), line + proc.stderr.read()
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(base + "/", timeout=10)
        assert redirect.value.code == 302 and redirect.value.headers["Location"].startswith("/login/")
        status, body, _ = fetch(base + "/login/")
        assert status == 200 and b"Log in" in body
        status, body, headers = fetch(base + "/static/dashboard/app.css")
        assert status == 200 and b"--brand" in body and "max-age" in headers.get("Cache-Control", "")
        status, body, _ = fetch(base + "/api/v1/accounts")
        assert status == 401 and body.startswith(b'{"detail"')
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_refuses_a_bad_port(capsys):
    assert main(["serve", "--port", "99999"]) == 2
    assert "--port" in capsys.readouterr().err


@pytest.mark.django_db
def test_api_token_prints_the_users_token(capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = factories.user_make("maria", manager=True)
    assert main(["api-token", "maria"]) == 0
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=user).key == key
    assert main(["api-token", "maria"]) == 0
    assert capsys.readouterr().out.strip() == key
    assert main(["api-token", "maria", "--rotate"]) == 0
    assert capsys.readouterr().out.strip() not in ("", key)
    assert main(["api-token", "nobody"]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err
