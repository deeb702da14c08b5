"""Sign-in that holds: guessing is cut short, per username and per address, on the login page,
the admin's login and the API's tokens; the lock says nothing about who exists; an admin (or
the lock's end) lets the right password in again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from saleschannel.api.tokens import api_token_create
from saleschannel.cli import main
from tests.dashboard import factories

pytestmark = pytest.mark.django_db

LIMIT = 5
GUESSES = 50
API_URL = "/api/v1/accounts"


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = 0.25  # hours


@dataclass
class Door:
    """One way in: ``attempt(client, username, secret)`` answers (status, signed in)."""

    name: str
    attempt: Callable[[Client, str, str], tuple[int, bool]]
    refused: int  # the status of a wrong password before the lock


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _login_page(client: Client, username: str, password: str) -> tuple[int, bool]:
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code, _signed_in(client)


def _admin_login(client: Client, username: str, password: str) -> tuple[int, bool]:
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password,
                                                          "next": "/admin/"})
    return response.status_code, _signed_in(client)


def _api(client: Client, username: str, key: str) -> tuple[int, bool]:
    response = client.get(API_URL, HTTP_AUTHORIZATION=f"Token {key}")
    return response.status_code, response.status_code == 200


DOORS = [Door("login page", _login_page, 200), Door("admin login", _admin_login, 200), Door("API token", _api, 401)]


def _secret(door: Door, user: Any) -> tuple[str, str]:
    """The right secret and a wrong one of the same shape, for this door."""
    if door.name == "API token":
        key = api_token_create(user=user).key
        prefix, _, rest = key.partition(".")
        return key, f"{prefix}.{'x' * len(rest)}"
    return factories.PASSWORD, factories.PASSWORD + "!"


def _age_attempts(by: dt.timedelta) -> None:
    """As if ``by`` had passed since every failed attempt."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - by)


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.name)
def test_fifty_guesses_are_locked_out_after_the_limit_and_the_right_secret_waits(door, store_defaults):
    user = factories.user_make("maria", manager=True)
    user.is_superuser = True  # the admin's login lets in staff only; maria is staff and may see it
    user.save()
    right, wrong = _secret(door, user)
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [door.attempt(client, "maria", wrong)[0] for _ in range(GUESSES)]
    assert statuses[: LIMIT - 1] == [door.refused] * (LIMIT - 1)
    assert statuses[LIMIT - 1 :] == [429] * (GUESSES - LIMIT + 1), statuses
    # The right secret is refused while the lock holds.
    assert door.attempt(client, "maria", right) == (429, False)
    # The lock ends after the cool-off time...
    _age_attempts(dt.timedelta(minutes=16))
    status, signed_in = door.attempt(client, "maria", right)
    assert signed_in and status in (200, 302), status
    # ...or sooner when an admin unlocks it.
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(LIMIT):
        door.attempt(client, "maria", wrong)
    assert door.attempt(client, "maria", right) == (429, False)
    assert main(["user", "unlock", "maria", "--address", "203.0.113.7"]) == 0
    status, signed_in = door.attempt(client, "maria", right)
    assert signed_in and status in (200, 302), status


@pytest.mark.parametrize("door", DOORS[:2], ids=lambda d: d.name)
def test_the_lock_holds_per_username_and_per_address(door, store_defaults):
    factories.user_make("maria", manager=True)
    factories.user_make("sam")
    guesser = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(LIMIT):
        door.attempt(guesser, "maria", "wrong password")
    # maria's username is locked, from any address...
    assert door.attempt(Client(REMOTE_ADDR="198.51.100.2"), "maria", factories.PASSWORD) == (429, False)
    # ...and the guessing address is locked, for any username.
    assert door.attempt(guesser, "sam", factories.PASSWORD) == (429, False)
    # Someone else, from somewhere else, is not.
    status, signed_in = _login_page(Client(REMOTE_ADDR="198.51.100.3"), "sam", factories.PASSWORD)
    assert signed_in, status


def test_the_api_lock_is_per_address(store_defaults):
    user = factories.user_make("maria", manager=True)
    key = api_token_create(user=user).key
    guesser = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(LIMIT):
        _api(guesser, "", "0123abcd.not-a-key")
    assert _api(guesser, "", key) == (429, False)
    assert _api(Client(REMOTE_ADDR="198.51.100.2"), "", key) == (200, True)
    answer = guesser.get(API_URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 429 and "Too many failed attempts" in answer.json()["detail"]


@pytest.mark.parametrize("door", DOORS[:2], ids=lambda d: d.name)
def test_nothing_of_the_lock_tells_whether_the_user_exists(door, store_defaults):
    factories.user_make("maria", manager=True)
    answers: dict[str, list[tuple[int, bytes]]] = {}
    for n, username in enumerate(("maria", "nobody-here")):
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        seen = []
        for _ in range(LIMIT + 2):
            response = (client.post("/login/", {"username": username, "password": "wrong password"})
                        if door.name == "login page" else
                        client.post("/admin/login/", {"username": username, "password": "wrong password"}))
            body = response.content.replace(username.encode(), b"USERNAME")
            seen.append((response.status_code, body if response.status_code == 429 else b""))
        answers[username] = seen
    assert answers["maria"] == answers["nobody-here"]
    assert answers["maria"][-1][0] == 429
    assert b"Too many failed attempts" in answers["maria"][-1][1]


def test_user_unlock_says_the_same_for_any_username(capsys, store_defaults):
    factories.user_make("maria")
    assert main(["user", "unlock", "maria"]) == 0
    known = capsys.readouterr().err.replace("maria", "NAME")
    assert main(["user", "unlock", "nobody"]) == 0
    assert capsys.readouterr().err.replace("nobody", "NAME") == known


def test_the_admin_unlocks_by_deleting_the_attempts(store_defaults):
    """The admin's own unlock: axes lists the failed attempts under Axes > Access attempts."""
    admin = factories.user_make("root", manager=True)
    admin.is_superuser = True
    admin.save()
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(LIMIT):
        _login_page(guesser, "sam", "wrong password")
    factories.user_make("sam")
    assert _login_page(guesser, "sam", factories.PASSWORD) == (429, False)
    staff = Client()
    staff.force_login(admin)
    changelist = staff.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200 and b"198.51.100.9" in changelist.content
    pks = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = staff.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": pks,
                                                          "post": "yes"})
    assert response.status_code == 302
    status, signed_in = _login_page(guesser, "sam", factories.PASSWORD)
    assert signed_in, status


def test_a_failed_attempt_keeps_no_password(store_defaults):
    _login_page(Client(), "maria", "hunter2-secret-guess")
    _api(Client(), "", "0123abcd.secret-token-guess")
    stored = repr(list(AccessAttempt.objects.values()))
    assert "hunter2-secret-guess" not in stored and "secret-token-guess" not in stored
    assert AccessAttempt.objects.count() == 2


def test_signing_in_to_ones_own_account_does_not_wipe_the_guesses(store_defaults):
    """An insider guessing a manager's password cannot reset the count by signing in as themselves
    between guesses: failures are forgotten only when they expire, or by an unlock."""
    factories.user_make("maria", manager=True)
    factories.user_make("sam")
    client = Client(REMOTE_ADDR="198.51.100.20")
    statuses = []
    for _ in range(3):
        for _ in range(2):
            statuses.append(_login_page(client, "maria", "wrong password")[0])
        assert _login_page(client, "sam", factories.PASSWORD)[1] or statuses[-1] == 429
        client.logout()
    assert statuses.count(200) == LIMIT - 1 and statuses[-1] == 429, statuses
    assert _login_page(Client(REMOTE_ADDR="198.51.100.21"), "maria", factories.PASSWORD) == (429, False)
    # The failures expire after the cool-off time.
    _age_attempts(dt.timedelta(minutes=16))
    assert _login_page(Client(REMOTE_ADDR="198.51.100.21"), "maria", factories.PASSWORD)[1]
