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


def test_the_admins_row_alone_connects_accounts_and_syncs_them(no_app_env, manager, sandbox, clock, store_defaults):
    from saleschannel.channel.connect import services
    from saleschannel.channel.services.accounts import application_credentials
    from saleschannel.channel.services.sync.client import account_client
    from tests.connect.conftest import CLIENT_ID
    from tests.connect.helpers import seller_central_answer

    row(application_id="amzn1.sp.solution.x", client_id=CLIENT_ID, client_secret="row-secret",
        seller_central_url="http://sandbox.test", token_url="http://sandbox.test/auth/o2/token",
        api_endpoint="http://sandbox.test")
    assert application_credentials() == (CLIENT_ID, "row-secret")
    _row, url = services.authorization_start(user=manager, marketplace_id="ATVPDKIKX0DER",
                                             redirect_url="http://testserver/cb/", now=clock.now())
    answer = seller_central_answer(url, sandbox=sandbox)
    account, created = services.authorization_complete(
        user=manager, state=answer["state"], selling_partner_id=answer["selling_partner_id"],
        code=answer["spapi_oauth_code"], transport=sandbox.transport(), now=clock.now(),
    )
    assert created and account.client_secret == ""  # the application's, not a copy
    client = account_client(account=account, clock=clock, transport=sandbox.transport())
    try:
        assert list(client.search_orders(marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=clock.now()))
    finally:
        client.close()
