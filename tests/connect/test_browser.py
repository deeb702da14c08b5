"""The whole website authorization in headless chromium: the dashboard, the sandbox's
Seller Central consent page, and back to the new account's dashboard."""

from __future__ import annotations

import re

import pytest

from saleschannel.channel.models import Account
from tests.browser.support import log_in
from tests.connect.conftest import SELLER

pytestmark = pytest.mark.browser


def test_connect_approve_and_land_on_the_new_accounts_dashboard(live_server, http_sandbox, manager, store_defaults,
                                                                 page):
    _sandbox, sandbox_url = http_sandbox
    log_in(page, live_server, manager.username)
    page.click("#connect-account")  # "Connect Amazon account" on the accounts page
    page.wait_for_url(f"{live_server.url}/accounts/connect/")
    page.select_option("#id_marketplace", "ATVPDKIKX0DER")
    page.fill("#id_name", "US shop")
    page.click("#connect-amazon")

    # Seller Central (the sandbox) asks the seller to approve.
    page.wait_for_url(f"{sandbox_url}/apps/authorize/consent?**")
    assert "version=beta" in page.url
    assert page.locator("h1").inner_text() == "Seller Central (sandbox)"
    page.click("button[value=approve]")

    page.wait_for_url(re.compile(r"/accounts/\d+/$"))
    account = Account.objects.get()
    assert page.url == f"{live_server.url}/accounts/{account.pk}/"
    assert (account.name, account.seller_id, account.order_settings.import_enabled) == ("US shop", SELLER, False)
    body = page.locator("main").inner_text()
    assert "US shop is connected" in body
    assert "Import Amazon Orders: Disabled" in body
    assert page.locator("#connection").inner_text().count("Credentials accepted") == 1
    page.goto(f"{live_server.url}/")
    assert page.locator("#accounts").inner_text().count("US shop") == 1


def test_a_replayed_callback_in_the_browser_shows_a_clear_refusal(live_server, http_sandbox, manager, store_defaults,
                                                                  page):
    log_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/accounts/connect/")
    page.click("#connect-amazon")
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/accounts/connect/callback/" in r.url else None)
    page.click("button[value=approve]")
    page.wait_for_url(re.compile(r"/accounts/\d+/$"))
    assert len(callbacks) == 1
    before = list(Account.objects.values_list("pk", "refresh_token_encrypted"))
    page.goto(callbacks[0])
    assert page.locator("h1").inner_text() == "Amazon account not connected"
    assert "already been used" in page.locator("#connect-refused").inner_text()
    assert list(Account.objects.values_list("pk", "refresh_token_encrypted")) == before
