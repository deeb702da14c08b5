"""Password rules: Django's validators (length, common passwords, likeness to the username, all
digits) refuse a weak password wherever one is set: ``user add``, the admin, the change page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from saleschannel.cli import main
from tests.dashboard import factories

pytestmark = pytest.mark.django_db

GOOD = "plum-orbit-lantern-42"
#: (username, password, the validator's words): each weak in one way.
WEAK = [
    pytest.param("nina", "Xy7!kq", "This password is too short. It must contain at least 12 characters.", id="length"),
    pytest.param("nina", "q1w2e3r4t5y6", "This password is too common.", id="common"),
    pytest.param("margaretsmith", "margaretsmith7", "The password is too similar to the username.", id="similarity"),
    pytest.param("nina", "830194726601537", "This password is entirely numeric.", id="numeric"),
]


@pytest.mark.parametrize(("username", "password", "words"), WEAK)
def test_user_add_refuses_a_weak_password_with_the_validators_words_and_creates_nothing(
        tmp_path, capsys, username, password, words):
    secret = tmp_path / "password"
    secret.write_text(password + "\n")
    assert main(["user", "add", username, "--manager", "--password-file", str(secret)]) == 2
    err = capsys.readouterr().err
    assert words in err and password not in err
    assert len(err.strip().splitlines()) == 1
    assert not User.objects.filter(username=username).exists()


def test_user_add_takes_a_good_password_and_a_generated_one(tmp_path, capsys):
    secret = tmp_path / "password"
    secret.write_text(GOOD + "\n")
    assert main(["user", "add", "nina", "--password-file", str(secret)]) == 0
    assert User.objects.get(username="nina").check_password(GOOD)
    assert main(["user", "add", "omar"]) == 0
    generated = capsys.readouterr().out.strip()
    assert User.objects.get(username="omar").check_password(generated)


@pytest.fixture
def superuser_client(fast_passwords):
    root = User.objects.create_superuser("root", password=GOOD)
    client = Client()
    client.force_login(root)
    return client


@pytest.mark.parametrize(("username", "password", "words"), WEAK)
def test_the_admin_refuses_a_weak_password_for_a_new_user(superuser_client, username, password, words):
    response = superuser_client.post("/admin/auth/user/add/", {
        "username": username, "usable_password": "true", "password1": password, "password2": password})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize(("username", "password", "words"), WEAK)
def test_the_admin_refuses_a_weak_password_change(superuser_client, username, password, words):
    user = factories.user_make(username)
    response = superuser_client.post(f"/admin/auth/user/{user.pk}/password/", {
        "usable_password": "true", "password1": password, "password2": password})
    assert response.status_code == 200
    assert words in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)


@pytest.mark.parametrize(("username", "password", "words"), WEAK)
def test_the_change_page_refuses_a_weak_password(fast_passwords, store_defaults, username, password, words):
    user = factories.user_make(username)
    client = Client()
    client.force_login(user)
    response = client.post("/password/", {"old_password": factories.PASSWORD, "new_password1": password,
                                          "new_password2": password})
    assert response.status_code == 200
    assert words in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)


def test_the_change_page_changes_the_password_and_keeps_this_session(fast_passwords, store_defaults):
    user = factories.user_make("sam")
    client = Client()
    client.force_login(user)
    page = client.get("/password/")
    assert page.status_code == 200 and b"at least 12 characters" in page.content
    wrong_old = client.post("/password/", {"old_password": "not it", "new_password1": GOOD, "new_password2": GOOD})
    assert wrong_old.status_code == 200 and b"incorrectly" in wrong_old.content
    response = client.post("/password/", {"old_password": factories.PASSWORD, "new_password1": GOOD,
                                          "new_password2": GOOD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert client.get("/").status_code == 200  # still signed in here


def test_the_change_page_needs_a_dashboard_user(fast_passwords):
    assert Client().get("/password/")["Location"].startswith("/login/")
    outsider = Client()
    outsider.force_login(factories.user_make("guest", staff=False))
    assert outsider.post("/password/", {}).status_code == 403
