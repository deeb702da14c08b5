"""A session ends after an idle time (SALESCHANNEL_SESSION_IDLE_HOURS, 8 by default); each
request starts the idle time again, writing the session at most once a minute."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.dashboard import factories
from tests.security.test_deploy import run

pytestmark = pytest.mark.django_db


def _expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_ends_after_the_idle_time_and_each_request_renews_it(settings, fast_passwords, store_defaults):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SALESCHANNEL_SESSION_RENEW_SECONDS = 0
    client = Client()
    assert client.post("/login/", {"username": factories.user_make("sam").username,
                                   "password": factories.PASSWORD}).status_code == 302
    first = _expiry(client)
    assert abs((first - timezone.now()) - dt.timedelta(hours=8)) < dt.timedelta(minutes=1)
    # Seven idle hours later the session holds, and the visit renews it.
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=first - dt.timedelta(hours=7))
    assert client.get("/").status_code == 200
    assert _expiry(client) > first - dt.timedelta(minutes=1)
    # Past the idle time it has ended: back to the login page.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_idle_time_comes_from_the_environment(tmp_path):
    code = ["-c", "import django; django.setup(); from django.conf import settings as s; "
                  "print(s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT)"]
    assert run(code, tmp_path).stdout.split() == ["28800", "5"]
    assert run(code, tmp_path, SALESCHANNEL_SESSION_IDLE_HOURS="0.5",
               SALESCHANNEL_LOCKOUT_FAILURES="3").stdout.split() == ["1800", "3"]
    refused = run(code, tmp_path, SALESCHANNEL_SESSION_IDLE_HOURS="never")
    assert refused.returncode != 0 and "SALESCHANNEL_SESSION_IDLE_HOURS" in refused.stderr


def test_a_session_is_written_at_most_once_a_minute(settings, fast_passwords, store_defaults, monkeypatch):
    from saleschannel.dashboard import sessions

    settings.SALESCHANNEL_SESSION_RENEW_SECONDS = 60
    clock = [1_000_000]
    monkeypatch.setattr(sessions, "_now", lambda: clock[0])
    client = Client()
    client.force_login(factories.user_make("sam"))
    key = client.session.session_key
    signed_in = _expiry(client)
    Session.objects.filter(session_key=key).update(expire_date=signed_in - dt.timedelta(hours=1))
    clock[0] += 59
    assert client.get("/").status_code == 200
    assert _expiry(client) == signed_in - dt.timedelta(hours=1)  # within the minute: not written
    clock[0] += 1
    assert client.get("/").status_code == 200
    assert _expiry(client) > signed_in - dt.timedelta(minutes=1)  # a minute on: renewed
