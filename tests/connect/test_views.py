"""The pages: managers only, the whole flow through the sandbox over HTTP, refusals that store nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saleschannel.channel.connect.models import ApplicationSettings, AuthorizationState
from saleschannel.channel.models import Account
from tests.connect.conftest import APP_ID, CLIENT_SECRET, SELLER
from tests.connect.helpers import query_of, seller_central_answer

pytestmark = pytest.mark.django_db
START = "/accounts/connect/"
CALLBACK = "/accounts/connect/callback/"


def client_for(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def go_to_seller_central(client: Client, **form) -> str:
    answer = client.post(START, {"marketplace": "ATVPDKIKX0DER", "name": "", **form})
    assert answer.status_code == 302, answer.content.decode()
    return answer["location"]


def back_from_seller_central(client: Client, params: dict[str, str]):
    return client.get(CALLBACK, params)


def test_only_managers_connect_accounts(staff, http_sandbox, store_defaults):
    anonymous = Client().get(START)
    assert anonymous.status_code == 302 and "/login/" in anonymous["location"]
    staff_client = client_for(staff)
    assert staff_client.get(START).status_code == 403
    assert staff_client.post(START, {"marketplace": "ATVPDKIKX0DER"}).status_code == 403
    assert staff_client.get(CALLBACK, {"state": "x"}).status_code == 403
    assert not AuthorizationState.objects.exists()


def test_the_form_offers_the_marketplaces(manager, http_sandbox):
    page = client_for(manager).get(START)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Amazon.com (US)" in text and "Amazon.de (DE)" in text and "Continue to Seller Central" in text


def test_without_application_credentials_the_page_says_what_is_missing(manager, no_app_env):
    page = client_for(manager).get(START)
    assert page.status_code == 503
    assert "LWA client secret" in page.content.decode()
    assert client_for(manager).post(START, {"marketplace": "ATVPDKIKX0DER"}).status_code == 503
    assert not AuthorizationState.objects.exists()


def test_connect_approve_and_land_on_the_new_accounts_dashboard(manager, http_sandbox, store_defaults):
    _sandbox, base_url = http_sandbox
    client = client_for(manager)
    url = go_to_seller_central(client, name="US shop")
    assert url.startswith(f"{base_url}/apps/authorize/consent?")
    query = query_of(url)
    assert query["application_id"] == APP_ID and query["version"] == "beta"
    assert query["redirect_uri"] == "http://testserver/accounts/connect/callback/"
    landed = back_from_seller_central(client, seller_central_answer(url))
    account = Account.objects.get()
    assert landed.status_code == 302 and landed["location"] == reverse("dashboard:store_dashboard", args=[account.pk])
    assert (account.name, account.seller_id, account.order_settings.import_enabled) == ("US shop", SELLER, False)
    page = client.get(landed["location"])
    text = page.content.decode()
    assert "US shop is connected" in text and "Import Amazon Orders: Disabled" in text
    assert account.refresh_token not in text and CLIENT_SECRET not in text


def test_a_forged_state_shows_a_clear_page_and_stores_nothing(manager, http_sandbox, store_defaults):
    client = client_for(manager)
    answer = seller_central_answer(go_to_seller_central(client))
    page = back_from_seller_central(client, {**answer, "state": "forged-state"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "This authorization was not started here" in text and "Nothing was stored" in text
    assert answer["spapi_oauth_code"] not in text
    assert not Account.objects.exists()


def test_a_replayed_callback_is_refused(manager, http_sandbox, store_defaults):
    client = client_for(manager)
    answer = seller_central_answer(go_to_seller_central(client))
    assert back_from_seller_central(client, answer).status_code == 302
    before = list(Account.objects.values_list("pk", "refresh_token_encrypted"))
    page = back_from_seller_central(client, answer)
    assert page.status_code == 400 and "already been used" in page.content.decode()
    assert list(Account.objects.values_list("pk", "refresh_token_encrypted")) == before


def test_an_expired_state_is_refused(manager, http_sandbox, store_defaults, settings):
    settings.SALESCHANNEL_OAUTH_STATE_MINUTES = 0
    client = client_for(manager)
    answer = seller_central_answer(go_to_seller_central(client))
    page = back_from_seller_central(client, answer)
    assert page.status_code == 400 and "expired" in page.content.decode()
    assert not Account.objects.exists()


def test_another_users_callback_is_refused(manager, other_manager, http_sandbox, store_defaults):
    answer = seller_central_answer(go_to_seller_central(client_for(manager)))
    page = back_from_seller_central(client_for(other_manager), answer)
    assert page.status_code == 403 and "started by another user" in page.content.decode()
    assert not Account.objects.exists()


def test_a_code_amazon_refuses_is_refused(manager, http_sandbox, store_defaults):
    client = client_for(manager)
    answer = seller_central_answer(go_to_seller_central(client))
    page = back_from_seller_central(client, {**answer, "spapi_oauth_code": "ANnot-a-code-amazon-gave"})
    text = page.content.decode()
    assert page.status_code == 400 and "Amazon refused the authorization code (invalid_grant)" in text
    assert "ANnot-a-code-amazon-gave" not in text
    assert not Account.objects.exists()


def test_denying_in_seller_central_connects_nothing(manager, http_sandbox, store_defaults):
    client = client_for(manager)
    answer = seller_central_answer(go_to_seller_central(client), decision="deny")
    page = back_from_seller_central(client, answer)
    assert page.status_code == 400 and "not granted" in page.content.decode()
    assert not Account.objects.exists()


def test_disconnect_needs_a_manager_post_and_csrf_and_keeps_the_orders(manager, staff, http_sandbox,
                                                                      store_defaults):
    client = client_for(manager)
    back_from_seller_central(client, seller_central_answer(go_to_seller_central(client)))
    account = Account.objects.get()
    url = reverse("connect:disconnect", args=[account.pk])
    assert client.get(url).status_code == 405
    assert client_for(staff).post(url).status_code == 403
    assert client_for(manager, csrf=True).post(url).status_code == 403  # no CSRF token
    account.refresh_from_db()
    assert account.refresh_token != ""
    csrf_client = client_for(manager, csrf=True)
    page = csrf_client.get(reverse("connect:connection", args=[account.pk]))
    token = page.context["csrf_token"]
    done = csrf_client.post(url, {"csrfmiddlewaretoken": str(token)})
    assert done.status_code == 302
    account.refresh_from_db()
    assert account.refresh_token == "" and account.client_secret == ""
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    shown = csrf_client.get(done["location"]).content.decode()
    assert "Disconnected" in shown and "Reconnect through Seller Central" in shown


def test_reconnect_sends_the_merchant_to_seller_central_for_that_account(manager, http_sandbox, store_defaults):
    client = client_for(manager)
    back_from_seller_central(client, seller_central_answer(go_to_seller_central(client, name="US shop")))
    account = Account.objects.get()
    client.post(reverse("connect:disconnect", args=[account.pk]))
    url = client.post(reverse("connect:reconnect", args=[account.pk]))["location"]
    assert AuthorizationState.objects.filter(account=account).exists()
    landed = back_from_seller_central(client, seller_central_answer(url))
    assert landed.status_code == 302
    account.refresh_from_db()
    assert Account.objects.count() == 1 and account.refresh_token != ""
    assert account.credentials_state == Account.CredentialsState.OK
    assert "US shop is reconnected" in client.get(landed["location"]).content.decode()


def test_the_admin_keeps_the_client_secret_encrypted_and_never_shows_it(db, no_app_env):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password="pw")
    client = client_for(admin)
    add = reverse("admin:connect_applicationsettings_add")
    saved = client.post(add, {"application_id": APP_ID, "client_id": "cid", "client_secret": "s3cr3t-value",
                              "redirect_url": "", "draft": "on", "seller_central_url": "", "token_url": "",
                              "api_endpoint": ""})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    row = ApplicationSettings.objects.get()
    assert row.client_secret == "s3cr3t-value" and "s3cr3t-value" not in row.client_secret_encrypted
    change = reverse("admin:connect_applicationsettings_change", args=[row.pk])
    assert "s3cr3t-value" not in client.get(change).content.decode()
    client.post(change, {"application_id": APP_ID, "client_id": "cid2", "client_secret": "", "redirect_url": "",
                         "seller_central_url": "", "token_url": "", "api_endpoint": ""})
    row.refresh_from_db()
    assert (row.client_id, row.client_secret, row.draft) == ("cid2", "s3cr3t-value", False)  # kept when left empty
    assert client.get(add).status_code == 403  # one row only


def test_a_signed_out_callback_never_puts_the_code_in_a_page(manager, http_sandbox, store_defaults):
    answer = seller_central_answer(go_to_seller_central(client_for(manager)))
    page = Client().get(CALLBACK, answer)
    text = page.content.decode()
    assert page.status_code == 401 and "Your session ended" in text
    assert answer["spapi_oauth_code"] not in text and "location" not in page
    assert not Account.objects.exists()
    # The state stays good for its owner.
    assert back_from_seller_central(client_for(manager), answer).status_code == 302


def test_every_page_names_an_account_needing_reconnecting(manager, staff, http_sandbox, store_defaults):
    from saleschannel.channel.services.accounts import account_credentials_state_set

    client = client_for(manager)
    back_from_seller_central(client, seller_central_answer(go_to_seller_central(client, name="US shop")))
    account = Account.objects.get()
    pages = ["/", f"/accounts/{account.pk}/", "/amazon-orders/", "/orders/", "/products/", "/logs/sync/"]
    for path in pages:
        assert "needs reconnecting" not in client.get(path).content.decode()
    account_credentials_state_set(account=account, ok=False, error="invalid_grant")
    for viewer in (client, client_for(staff)):
        for path in pages:
            text = viewer.get(path).content.decode()
            assert 'id="reconnect-banner"' in text and "US shop needs reconnecting" in text, path
    home = client.get("/").content.decode()
    assert 'id="connect-account"' in home and 'data-status="needs_reconnecting"' in home
    assert 'id="connect-account"' not in client_for(staff).get("/").content.decode()
