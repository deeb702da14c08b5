"""The dashboard hooks: the banner, the button and the connection link."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from saleschannel.channel.connect import services
from saleschannel.channel.models import Account
from saleschannel.channel.services.accounts import account_credentials_state_set

pytestmark = pytest.mark.django_db


def render(text: str, **context) -> str:
    return Template("{% load connect %}" + text).render(Context(context))


@pytest.fixture
def account(db, clock):
    made = Account.objects.create(name="US shop", seller_id="A1SELLER", marketplace_id="ATVPDKIKX0DER", region="na",
                                  integrated_at=clock.now())
    made.refresh_token = "Atzr|token"
    made.save()
    return made


def test_the_button_is_for_managers_only():
    assert 'href="/accounts/connect/"' in render("{% connect_button %}", can_manage=True)
    assert "Connect Amazon account" in render("{% connect_button %}", can_manage=True)
    assert render("{% connect_button %}", can_manage=False).strip() == ""


def test_the_banner_names_each_account_to_reconnect(account, manager):
    assert render("{% reconnect_banner %}").strip() == ""
    account_credentials_state_set(account=account, ok=False, error="invalid_grant")
    text = render("{% reconnect_banner %}")
    assert "US shop needs reconnecting" in text and f"/accounts/connect/{account.pk}/" in text
    services.account_disconnect(account=account, user=manager)
    assert "US shop is disconnected" in render("{% reconnect_banner %}")


def test_the_connection_link_shows_the_state(account, manager):
    assert 'data-status="connected"' in render("{% connection_link a %}", a=account)
    account_credentials_state_set(account=account, ok=False, error="invalid_grant")
    assert "Needs reconnecting" in render("{% connection_link a %}", a=account)
    services.account_disconnect(account=account, user=manager)
    assert "Disconnected" in render("{% connection_link a %}", a=account)
