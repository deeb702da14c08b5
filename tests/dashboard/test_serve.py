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
    # Its log goes to a file: a pipe nobody reads fills up and blocks the server mid-write.
    errors = (tmp_path / "serve.err").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "saleschannel", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        line = read_line(proc, timeout=180)  # migrations run first, then it listens
        assert line.startswith(f"Serving on http://127.0.0.1:{port}/"), line + (tmp_path / "serve.err").read_text()
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
        assert proc.wait(timeout=60) == 0  # generous: a loaded 2-core machine is slow to wind down
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_refuses_a_bad_port(capsys):
    assert main(["serve", "--port", "99999"]) == 2
    assert "--port" in capsys.readouterr().err


@pytest.mark.django_db
def test_api_token_prints_a_new_token_once_and_keeps_only_its_digest(capsys, settings):
    from saleschannel.api.models import ApiToken

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = factories.user_make("maria", manager=True)
    assert main(["api-token", "maria"]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert "cannot be shown again" in err and key not in err
    token = ApiToken.objects.get(user=user)
    assert key.startswith(token.prefix + ".") and key not in token.digest
    assert main(["api-token", "maria"]) == 0  # another token; the first is never shown again
    second = capsys.readouterr().out.strip()
    assert second not in ("", key) and ApiToken.objects.filter(user=user, revoked_at=None).count() == 2
    assert main(["api-token", "maria", "--rotate"]) == 0
    third = capsys.readouterr().out.strip()
    assert list(ApiToken.objects.filter(user=user, revoked_at=None).values_list("prefix", flat=True)) == [
        third.split(".")[0]]
    assert main(["api-token", "nobody"]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err


@pytest.mark.parametrize("trusted", [True, False], ids=["behind a trusted proxy", "no proxy trusted"])
def test_behind_a_trusted_proxy_the_lockout_counts_the_clients_address(tmp_path: Path, trusted: bool):
    """With SALESCHANNEL_TRUSTED_PROXY the lockout sees each client's own address (from the
    proxy's X-Forwarded-For); without it, the header is nobody's word and is ignored."""
    port = free_port()
    env = {**os.environ, "SALESCHANNEL_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1",
           "SALESCHANNEL_LOCKOUT_FAILURES": "3"}
    env.pop("DATABASE_URL", None)
    env.pop("SALESCHANNEL_TRUSTED_PROXY", None)
    if trusted:
        env["SALESCHANNEL_TRUSTED_PROXY"] = "127.0.0.1"
    # Its log goes to a file: a pipe nobody reads fills up and blocks the server mid-write.
    errors = (tmp_path / "serve.err").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "saleschannel", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=errors, text=True)

    def guess(client: str) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/accounts", headers={
            "Authorization": "Token 0123abcd.wrong", "X-Forwarded-For": client, "X-Forwarded-Proto": "http"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving on"), line + (tmp_path / "serve.err").read_text()
        assert [guess("203.0.113.5") for _ in range(4)] == [401, 401, 429, 429]
        # Another client behind the same proxy is locked out only if the proxy's address is all there is.
        assert guess("203.0.113.6") == (401 if trusted else 429)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0  # generous: a loaded 2-core machine is slow to wind down
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
