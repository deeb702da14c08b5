"""The website authorization workflow's services, against the sandbox in-process."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.connect import services
from saleschannel.channel.connect.config import application_config
from saleschannel.channel.connect.marketplaces import marketplace_get
from saleschannel.channel.connect.models import AuthorizationState
from saleschannel.channel.errors import AccountInvalid, AuthorizationRefused, NotConfigured
from saleschannel.channel.models import Account, OrderSettings
from tests.connect.conftest import APP_ID, CLIENT_ID, SELLER
from tests.connect.helpers import query_of, seller_central_answer

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/accounts/connect/callback/"


def start(user, clock, marketplace="ATVPDKIKX0DER", **kwargs):
    return services.authorization_start(user=user, marketplace_id=marketplace, redirect_url=CALLBACK,
                                        now=clock.now(), **kwargs)


def complete(user, sandbox, clock, answer, **kwargs):
    return services.authorization_complete(
        user=user, state=answer.get("state", ""), selling_partner_id=answer.get("selling_partner_id", ""),
        code=answer.get("spapi_oauth_code", ""), error=answer.get("error", ""), transport=sandbox.transport(),
        now=kwargs.pop("now", clock.now()), **kwargs,
    )


def connect_through_amazon(user, sandbox, clock, **kwargs):
    _row, url = start(user, clock, **kwargs)
    return complete(user, sandbox, clock, seller_central_answer(url, sandbox=sandbox))


def _marketplace(marketplace_id):
    found = marketplace_get(marketplace_id)
    assert found is not None
    return found


def snapshot():
    """What an authorization could change: accounts, their credentials and settings."""
    return sorted(Account.objects.values_list(
        "pk", "name", "seller_id", "marketplace_id", "refresh_token_encrypted", "client_id_encrypted",
        "client_secret_encrypted", "credentials_state", "last_error", "integrated_at", "endpoint", "token_url",
    )), OrderSettings.objects.count()


# --- the authorization URL ------------------------------------------------------------------


@pytest.mark.parametrize(("marketplace", "host"), [
    ("ATVPDKIKX0DER", "https://sellercentral.amazon.com"),
    ("A1PA6795UKMFR9", "https://sellercentral-europe.amazon.com"),
    ("A1VC38T7YXB528", "https://sellercentral.amazon.co.jp"),
    ("A2EUQ1WTGCTBG2", "https://sellercentral.amazon.ca"),
])
def test_consent_url_is_the_marketplaces_seller_central(marketplace, host, settings, no_app_env):
    settings.SALESCHANNEL_SPAPI_APPLICATION_ID = APP_ID
    url = services.consent_url(config=application_config(), marketplace=_marketplace(marketplace),
                               state="s1", redirect_url=CALLBACK)
    assert url.startswith(f"{host}/apps/authorize/consent?")
    assert query_of(url) == {"application_id": APP_ID, "state": "s1", "version": "beta", "redirect_uri": CALLBACK}


def test_consent_url_without_version_beta_once_the_application_is_published(settings, no_app_env):
    settings.SALESCHANNEL_SPAPI_APPLICATION_ID = APP_ID
    settings.SALESCHANNEL_SPAPI_APP_DRAFT = "0"
    url = services.consent_url(config=application_config(), marketplace=_marketplace("ATVPDKIKX0DER"),
                               state="s1", redirect_url=CALLBACK)
    assert "version" not in query_of(url)


def test_start_makes_a_single_use_state_bound_to_user_and_marketplace(app_config, manager, clock):
    row, url = start(manager, clock, marketplace="A1PA6795UKMFR9", account_name="DE shop")
    query = query_of(url)
    assert url.startswith("http://sandbox.test/apps/authorize/consent?")
    assert query["application_id"] == APP_ID and query["version"] == "beta" and query["redirect_uri"] == CALLBACK
    state = query["state"]
    assert len(state) >= 40
    row.refresh_from_db()
    assert (row.user, row.marketplace_id, row.account_name, row.used_at) == (manager, "A1PA6795UKMFR9", "DE shop", None)
    assert row.state_hash == services.state_hash(state) and state not in row.state_hash
    assert row.expires_at - row.created_at == dt.timedelta(minutes=services.STATE_TTL_MINUTES)
    _other, url2 = start(manager, clock)
    assert query_of(url2)["state"] != state


def test_start_refuses_without_application_credentials(no_app_env, manager, clock):
    with pytest.raises(NotConfigured) as caught:
        start(manager, clock)
    assert "LWA client secret" in str(caught.value)
    assert not AuthorizationState.objects.exists()


def test_start_refuses_an_unknown_marketplace_and_a_taken_name(app_config, manager, clock, sandbox):
    with pytest.raises(AccountInvalid):
        start(manager, clock, marketplace="NOPE")
    _account, _ = connect_through_amazon(manager, sandbox, clock, account_name="US shop")
    with pytest.raises(AccountInvalid) as caught:
        start(manager, clock, account_name="US shop")
    assert caught.value.field == "name"


# --- the callback ---------------------------------------------------------------------------


def test_approving_connects_the_account_with_import_disabled(app_config, manager, sandbox, clock):
    account, created = connect_through_amazon(manager, sandbox, clock, account_name="US shop")
    assert created
    account.refresh_from_db()
    assert (account.name, account.seller_id, account.marketplace_id, account.region) == (
        "US shop", SELLER, "ATVPDKIKX0DER", "na")
    assert account.integrated_at == clock.now()
    assert account.order_settings.import_enabled is False
    assert account.credentials_state == Account.CredentialsState.OK
    assert account.refresh_token.startswith(f"Atzr|sandbox-{SELLER}-")
    assert account.refresh_token not in account.refresh_token_encrypted  # encrypted at rest
    # The installation's application credentials are used, not copied into the account.
    assert account.client_id == "" and account.client_secret == ""
    assert (account.endpoint, account.token_url) == ("http://sandbox.test", "http://sandbox.test/auth/o2/token")
    row = AuthorizationState.objects.get()
    assert (row.outcome, row.connected_account, row.used_at) == ("connected", account, clock.now())


def test_the_refresh_token_works_with_the_sync_engines_client(app_config, manager, sandbox, clock):
    from saleschannel.channel.services.sync.client import account_client

    account, _ = connect_through_amazon(manager, sandbox, clock)
    client = account_client(account=account, clock=clock, transport=sandbox.transport())
    try:
        pages = list(client.search_orders(marketplace_ids=[account.marketplace_id],
                                          last_updated_after=clock.now() - dt.timedelta(days=1)))
    finally:
        client.close()
    assert pages and pages[0].orders == []
    assert sandbox.calls()["operations"]["token"] >= 2  # the code's exchange, then a refresh


def test_a_default_name_is_made_from_marketplace_and_seller(app_config, manager, sandbox, clock):
    account, _ = connect_through_amazon(manager, sandbox, clock, marketplace="A1PA6795UKMFR9")
    assert account.name == f"Amazon.de {SELLER}" and account.region == "eu"


def test_connecting_a_connected_seller_refreshes_its_credentials(app_config, manager, sandbox, clock):
    from saleschannel.channel.services.accounts import account_credentials_state_set

    first, _ = connect_through_amazon(manager, sandbox, clock, account_name="US shop")
    old_token, integrated = first.refresh_token, first.integrated_at
    account_credentials_state_set(account=first, ok=False, error="invalid_grant")
    clock.advance(3600)
    again, created = connect_through_amazon(manager, sandbox, clock, account_name="Another name")
    assert not created and again.pk == first.pk and Account.objects.count() == 1
    again.refresh_from_db()
    assert again.name == "US shop"  # the account keeps its name
    assert again.refresh_token != old_token
    assert again.integrated_at == integrated  # R4: integrated once
    assert again.credentials_state == Account.CredentialsState.OK and again.last_error == ""


def test_reconnecting_an_account_needs_its_own_seller(app_config, manager, sandbox, clock):
    account = Account.objects.create(name="Other seller", seller_id="A2OTHERSELLER", marketplace_id="ATVPDKIKX0DER",
                                     region="na", integrated_at=clock.now())
    account.refresh_token = "Atzr|old"
    account.save()
    before = snapshot()
    _row, url = start(manager, clock, account=account)
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, seller_central_answer(url, sandbox=sandbox))
    assert caught.value.code == "seller_mismatch"
    assert snapshot() == before


# --- refusals store nothing -------------------------------------------------------------------


def test_a_missing_state_is_refused(app_config, manager, sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox)
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, {**answer, "state": ""})
    assert caught.value.code == "state_missing"
    assert snapshot() == before


def test_a_forged_state_is_refused(app_config, manager, sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox)
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, {**answer, "state": answer["state"][:-2] + "xx"})
    assert caught.value.code == "state_unknown"
    assert snapshot() == before
    assert sandbox.calls()["operations"]["token"] == 0  # the code was never sent to Amazon


def test_an_expired_state_is_refused(app_config, manager, sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox)
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, answer, now=clock.now() + dt.timedelta(minutes=10, seconds=1))
    assert caught.value.code == "state_expired"
    assert snapshot() == before
    assert AuthorizationState.objects.get().outcome == "refused"


def test_a_replayed_state_is_refused(app_config, manager, sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox)
    _account, _ = complete(manager, sandbox, clock, answer)
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, answer)
    assert caught.value.code == "state_used"
    assert snapshot() == before


def test_another_users_state_is_refused_and_stays_usable_by_its_owner(app_config, manager, other_manager,
                                                                      sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox)
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(other_manager, sandbox, clock, answer)
    assert caught.value.code == "state_foreign"
    assert snapshot() == before
    _account, created = complete(manager, sandbox, clock, answer)
    assert created


def test_a_code_amazon_refuses_is_refused_and_the_state_is_spent(app_config, manager, sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox)
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, {**answer, "spapi_oauth_code": "ANforgedcode123"})
    assert caught.value.code == "exchange_refused"
    assert "invalid_grant" in caught.value.message and "ANforgedcode123" not in caught.value.message
    assert snapshot() == before
    assert AuthorizationState.objects.get().outcome == "refused"
    with pytest.raises(AuthorizationRefused) as again:  # single use, even after a refusal
        complete(manager, sandbox, clock, answer)
    assert again.value.code == "state_used"


def test_a_denied_authorization_is_refused(app_config, manager, sandbox, clock):
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=sandbox, decision="deny")
    assert answer["error"] == "access_denied"
    before = snapshot()
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, sandbox, clock, answer)
    assert caught.value.code == "denied"
    assert snapshot() == before


def test_old_states_are_cleaned_up(app_config, manager, clock):
    start(manager, clock)
    clock.advance(8 * 24 * 3600)
    start(manager, clock)
    assert AuthorizationState.objects.count() == 1


def test_application_secret_is_checked_by_amazon(app_config, manager, clock, settings):
    """A wrong client id makes LWA refuse the exchange (the sandbox checks the client when told to)."""
    from saleschannel.spapi.sandbox.app import SandboxApp
    from saleschannel.spapi.sandbox.auth_api import LoginWithAmazon

    strict = SandboxApp(clock=clock, rate_limits=False, seller_id=SELLER)
    strict.lwa = LoginWithAmazon(client_id=CLIENT_ID, client_secret="the-real-secret")
    _row, url = start(manager, clock)
    answer = seller_central_answer(url, sandbox=strict)
    with pytest.raises(AuthorizationRefused) as caught:
        complete(manager, strict, clock, answer)
    assert caught.value.code == "exchange_refused" and "invalid_client" in caught.value.message
    assert not Account.objects.exists()
