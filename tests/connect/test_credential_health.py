"""Credential health: a revoked authorization stops the syncs without a retry storm, and
reconnecting through Amazon's website resumes from the watermark with no order missed."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from saleschannel.channel.connect import services
from saleschannel.channel.connect.selectors import connection_status
from saleschannel.channel.models import Account, AmazonOrder, SyncCursor, SyncRun
from saleschannel.channel.services.sync.client import account_client
from saleschannel.workers.leases import account_sync_leased
from tests.connect.helpers import seller_central_answer

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/accounts/connect/callback/"


def connect(user, sandbox, clock, account=None):
    _row, url = services.authorization_start(user=user, marketplace_id="ATVPDKIKX0DER", redirect_url=CALLBACK,
                                             account=account, now=clock.now())
    answer = seller_central_answer(url, sandbox=sandbox)
    found, _ = services.authorization_complete(
        user=user, state=answer["state"], selling_partner_id=answer["selling_partner_id"],
        code=answer["spapi_oauth_code"], transport=sandbox.transport(), now=clock.now(),
    )
    return found


def cycle(account_pk, sandbox, clock) -> SyncRun:
    """One cycle of the sync engine, as the worker runs it, against the sandbox."""
    account = Account.objects.get(pk=account_pk)
    client = account_client(account=account, clock=clock, transport=sandbox.transport()) if account.refresh_token else None
    try:
        return account_sync_leased(account=account, client=client, clock=clock)
    finally:
        if client is not None:
            client.close()


def new_orders(sandbox, clock, count):
    """Orders arriving at Amazon; a few minutes later they can be searched for."""
    clock.advance(60)
    ids = sandbox.generate(count)
    clock.advance(180)
    return set(ids)


def recorded(account) -> set[str]:
    return set(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", flat=True))


def amazon_calls(sandbox) -> dict[str, int]:
    return dict(sandbox.calls()["operations"])


def banner() -> str:
    return Template("{% load connect %}{% reconnect_banner %}").render(Context({}))


def test_revoked_token_stops_calls_and_reconnecting_resumes_with_nothing_missed(app_config, manager, sandbox,
                                                                                clock, store_defaults):
    account = connect(manager, sandbox, clock)
    before_revocation = new_orders(sandbox, clock, 3)
    assert cycle(account.pk, sandbox, clock).outcome == SyncRun.Outcome.OK
    assert recorded(account) == before_revocation
    watermark = SyncCursor.objects.get(account=account).watermark
    assert watermark is not None

    # The seller removes the application in Seller Central: Amazon refuses the refresh token.
    sandbox.lwa.revoke(account.refresh_token)
    while_revoked = new_orders(sandbox, clock, 4)
    refused = cycle(account.pk, sandbox, clock)
    account.refresh_from_db()
    assert refused.outcome == SyncRun.Outcome.FAILED and "reconnect" in refused.error
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    assert "invalid_grant" in account.last_error
    assert connection_status(account) == "needs_reconnecting"
    assert f"{account.name} needs reconnecting" in banner()
    assert SyncCursor.objects.get(account=account).watermark == watermark

    # No retry storm: cycle after cycle, Amazon is not called at all.
    calls = amazon_calls(sandbox)
    for _ in range(5):
        clock.advance(300)
        assert cycle(account.pk, sandbox, clock).outcome == SyncRun.Outcome.FAILED
    assert amazon_calls(sandbox) == calls

    # Reconnecting the same seller: the same account, syncing again from its watermark.
    again = connect(manager, sandbox, clock, account=account)
    assert again.pk == account.pk and Account.objects.count() == 1
    assert again.credentials_state == Account.CredentialsState.OK and banner().strip() == ""
    after_reconnect = new_orders(sandbox, clock, 2)
    resumed = cycle(account.pk, sandbox, clock)
    assert resumed.outcome == SyncRun.Outcome.OK
    assert recorded(account) == before_revocation | while_revoked | after_reconnect
    resumed_watermark = SyncCursor.objects.get(account=account).watermark
    assert resumed_watermark is not None and resumed_watermark > watermark


def test_disconnect_forgets_credentials_keeps_orders_and_stops_syncing(app_config, manager, sandbox, clock,
                                                                      store_defaults):
    account = connect(manager, sandbox, clock)
    first = new_orders(sandbox, clock, 3)
    assert cycle(account.pk, sandbox, clock).outcome == SyncRun.Outcome.OK
    services.account_disconnect(account=account, user=manager)
    account.refresh_from_db()
    assert (account.refresh_token, account.client_id, account.client_secret) == ("", "", "")
    assert connection_status(account) == "disconnected"
    assert recorded(account) == first  # the orders stay
    assert f"{account.name} is disconnected" in banner()
    later = new_orders(sandbox, clock, 2)
    calls = amazon_calls(sandbox)
    for _ in range(3):
        clock.advance(300)
        assert cycle(account.pk, sandbox, clock).outcome == SyncRun.Outcome.FAILED
    assert amazon_calls(sandbox) == calls
    connect(manager, sandbox, clock, account=account)
    assert cycle(account.pk, sandbox, clock).outcome == SyncRun.Outcome.OK
    assert recorded(account) == first | later


def test_the_worker_parks_a_refused_account_and_syncs_it_again_once_reconnected(app_config, manager, sandbox,
                                                                              clock, store_defaults):
    from saleschannel.workers.loop import Worker

    account = connect(manager, sandbox, clock)
    worker = Worker(clock=clock, client_factory=lambda a, c: account_client(account=a, clock=c,
                                                                            transport=sandbox.transport()))
    first = new_orders(sandbox, clock, 2)
    assert worker.tick()
    assert recorded(account) == first
    sandbox.lwa.revoke(Account.objects.get(pk=account.pk).refresh_token)
    during = new_orders(sandbox, clock, 2)
    for _ in range(3):
        clock.advance(600)
        worker.tick()
    account.refresh_from_db()
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    calls = amazon_calls(sandbox)
    for _ in range(5):
        clock.advance(600)
        worker.tick()
    assert amazon_calls(sandbox) == calls
    connect(manager, sandbox, clock, account=account)
    after = new_orders(sandbox, clock, 2)
    for _ in range(3):
        clock.advance(600)
        worker.tick()
    account.refresh_from_db()
    assert account.credentials_state == Account.CredentialsState.OK, account.last_error
    assert recorded(account) == first | during | after
