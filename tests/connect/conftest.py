"""Fixtures of the connection tests: the application's settings, users, and the Amazon sandbox.

The sandbox plays Seller Central (its consent page) and Login with Amazon (both grants);
it runs in-process for the services and over HTTP on loopback for the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from saleschannel.spapi.clock import FakeClock
from saleschannel.spapi.sandbox.app import SandboxApp
from saleschannel.spapi.sandbox.generator import MARKETPLACES
from saleschannel.spapi.sandbox.server import run_in_thread
from tests.dashboard.factories import user_make

SELLER = "A1SANDBOXSELLER"
APP_ID = "amzn1.sp.solution.test-application"
CLIENT_ID = "amzn1.application-oa2-client.connect-test"
CLIENT_SECRET = "amzn1.oa2-cs.v1.connect-test-client-secret"
ENV_NAMES = (
    "SALESCHANNEL_SPAPI_APPLICATION_ID", "SALESCHANNEL_LWA_CLIENT_ID", "SALESCHANNEL_LWA_CLIENT_SECRET",
    "SALESCHANNEL_OAUTH_REDIRECT_URL", "SALESCHANNEL_SPAPI_APP_DRAFT", "SALESCHANNEL_SELLER_CENTRAL_URL",
    "SALESCHANNEL_LWA_TOKEN_URL", "SALESCHANNEL_SPAPI_ENDPOINT",
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are made in every test: a cheap hasher keeps them fast (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_app_env(monkeypatch, settings):
    """Nothing configured in the environment or the settings: only the admin's row counts."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
        if hasattr(settings, name):
            delattr(settings, name)


def configure(settings, base_url: str) -> None:
    """The installation's application, played by a sandbox at ``base_url``."""
    settings.SALESCHANNEL_SPAPI_APPLICATION_ID = APP_ID
    settings.SALESCHANNEL_LWA_CLIENT_ID = CLIENT_ID
    settings.SALESCHANNEL_LWA_CLIENT_SECRET = CLIENT_SECRET
    settings.SALESCHANNEL_SELLER_CENTRAL_URL = base_url
    settings.SALESCHANNEL_LWA_TOKEN_URL = f"{base_url}/auth/o2/token"
    settings.SALESCHANNEL_SPAPI_ENDPOINT = base_url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(timezone.now().replace(microsecond=0) - dt.timedelta(hours=1))


@pytest.fixture
def sandbox(clock) -> Iterator[SandboxApp]:
    """An in-process sandbox on the fake clock."""
    app = SandboxApp(clock=clock, seed=11, rate_limits=False, seller_id=SELLER, marketplaces=MARKETPLACES[:1])
    yield app
    app.close()


@pytest.fixture
def app_config(no_app_env, settings):
    """The application configured, pointing at a sandbox reached in-process (base URL only)."""
    configure(settings, "http://sandbox.test")
    return settings


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[tuple[SandboxApp, str]]:
    app = SandboxApp(seed=7, rate_limits=False, seller_id=SELLER)
    base_url, stop = run_in_thread(app)
    yield app, base_url
    stop()


@pytest.fixture
def http_sandbox(_sandbox_server, no_app_env, settings) -> tuple[SandboxApp, str]:
    """A sandbox over HTTP on loopback (emptied for each test), configured as the application's Amazon."""
    app, base_url = _sandbox_server
    app.reset()
    app.lwa.reset()
    configure(settings, base_url)
    return app, base_url


@pytest.fixture
def manager(db):
    return user_make("maria", manager=True)


@pytest.fixture
def other_manager(db):
    return user_make("olga", manager=True)


@pytest.fixture
def staff(db):
    return user_make("sam", manager=False)
