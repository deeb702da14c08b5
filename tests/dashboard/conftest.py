from __future__ import annotations

import pytest
from django.test import Client

from tests.dashboard import factories


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing a password the production way takes a second; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    return factories.user_make("sam", manager=False)


@pytest.fixture
def manager(db):
    return factories.user_make("maria", manager=True)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def account(store_defaults):
    return factories.account_make("EU shop")
