"""Connecting Amazon accounts (C29) and keeping their credentials secret."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.errors import AccountInvalid
from saleschannel.channel.models import Account, OrderSettings
from saleschannel.channel.services.accounts import account_connect, account_get
from tests.channel.factories import T0

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-client-secret-value"
TOKEN = "Atzr|refresh-token-value"


def _connect(**overrides):
    values = {"name": "eu-main", "seller_id": "A2SELLER", "marketplace_id": "A1PA6795UKMFR9", "region": "eu",
                  "refresh_token": TOKEN, "client_id": "amzn1.application-oa2-client.x", "client_secret": SECRET, "now": T0}
    values.update(overrides)
    return account_connect(**values)


def test_connect_sets_integrated_at_and_default_settings(store_defaults):
    account, created = _connect()
    assert created and account.integrated_at == T0
    settings = OrderSettings.objects.get(account=account)
    assert settings.import_orders == "disabled" and settings.store == store_defaults


def test_credentials_are_encrypted_at_rest_and_never_in_repr_or_str(store_defaults):
    account, _ = _connect()
    row = Account.objects.filter(pk=account.pk).values().get()
    assert SECRET not in str(row) and TOKEN not in str(row)
    fresh = Account.objects.get(pk=account.pk)
    assert (fresh.client_secret, fresh.refresh_token) == (SECRET, TOKEN)
    assert SECRET not in repr(fresh) and TOKEN not in str(fresh)


def test_c29_connecting_again_updates_credentials_and_keeps_integrated_at(store_defaults):
    first, _ = _connect()
    again, created = _connect(refresh_token="Atzr|new-token", now=T0 + dt.timedelta(days=9))
    assert not created and again.pk == first.pk
    assert Account.objects.count() == 1
    fresh = Account.objects.get()
    assert fresh.integrated_at == T0 and fresh.refresh_token == "Atzr|new-token"


def test_account_names_are_unique(store_defaults):
    _connect()
    with pytest.raises(AccountInvalid) as refused:
        _connect(seller_id="OTHER")
    assert refused.value.field == "name"
    assert Account.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""), ("seller_id", "has space"), ("marketplace_id", ""), ("region", "mars"),
    ("endpoint", "ftp://example.com"), ("token_url", "not a url"), ("refresh_token", ""),
])
def test_refused_connect_input_names_the_field_and_writes_nothing(store_defaults, field, value):
    with pytest.raises(AccountInvalid) as refused:
        _connect(**{field: value})
    assert refused.value.field == field
    assert not Account.objects.exists()


def test_a_refused_secret_is_never_echoed(store_defaults):
    with pytest.raises(AccountInvalid) as refused:
        _connect(client_secret="bad secret with blanks")
    assert "bad secret" not in str(refused.value)


def test_c29_client_credentials_may_be_left_out_only_with_application_credentials(store_defaults, settings):
    with pytest.raises(AccountInvalid):
        _connect(client_id="", client_secret="")
    settings.SALESCHANNEL_LWA_CLIENT_ID, settings.SALESCHANNEL_LWA_CLIENT_SECRET = "app-id", "app-secret"
    account, _ = _connect(client_id="", client_secret="")
    assert account.client_id == ""


def test_account_is_found_by_name_or_id(store_defaults):
    account, _ = _connect()
    assert account_get(ref="eu-main") == account_get(ref=str(account.pk)) == account
