"""The application's configuration: the environment wins field by field over the admin's row."""

from __future__ import annotations

import pytest

from saleschannel.channel.connect.config import application_config
from saleschannel.channel.connect.models import ApplicationSettings
from saleschannel.spapi.auth import LWA_TOKEN_URL

pytestmark = pytest.mark.django_db


def row(**fields) -> ApplicationSettings:
    secret = fields.pop("client_secret", "")
    settings_row = ApplicationSettings(**fields)
    settings_row.client_secret = secret
    settings_row.save()
    return settings_row


def test_nothing_configured(no_app_env):
    config = application_config()
    assert not config.complete and config.draft is True
    assert config.missing == ["SP-API application id", "LWA client id", "LWA client secret"]
    assert config.effective_token_url == LWA_TOKEN_URL


def test_the_admins_row_alone(no_app_env):
    row(application_id="amzn1.sp.solution.x", client_id="cid", client_secret="row-secret", draft=False,
        redirect_url="https://shop.example/accounts/connect/callback/")
    config = application_config()
    assert config.complete and config.client_secret == "row-secret" and config.draft is False
    assert config.redirect_url == "https://shop.example/accounts/connect/callback/"
    assert "row-secret" not in repr(config)


def test_the_secret_is_encrypted_at_rest(no_app_env):
    saved = row(client_secret="row-secret")
    stored = ApplicationSettings.objects.values_list("client_secret_encrypted", flat=True).get()
    assert stored and "row-secret" not in stored
    assert ApplicationSettings.objects.get().client_secret == "row-secret"
    saved.save()
    assert ApplicationSettings.objects.count() == 1 and saved.pk == 1  # a singleton


def test_the_environment_wins_field_by_field(no_app_env, monkeypatch):
    row(application_id="from-row", client_id="row-client", client_secret="row-secret", draft=False)
    monkeypatch.setenv("SALESCHANNEL_LWA_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("SALESCHANNEL_SPAPI_APP_DRAFT", "1")
    monkeypatch.setenv("SALESCHANNEL_SELLER_CENTRAL_URL", "http://127.0.0.1:9000")
    config = application_config()
    assert (config.application_id, config.client_id, config.client_secret) == ("from-row", "row-client", "env-secret")
    assert config.draft is True and config.seller_central_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(("value", "draft"), [("0", False), ("false", False), ("no", False), ("1", True),
                                               ("yes", True)])
def test_draft_from_the_environment(no_app_env, monkeypatch, value, draft):
    monkeypatch.setenv("SALESCHANNEL_SPAPI_APP_DRAFT", value)
    assert application_config().draft is draft
