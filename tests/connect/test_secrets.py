"""Secrets never leave: the OAuth code, the refresh token and the client secret appear in no
log line and no page, through a connection, a refusal, and an Amazon failure."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from saleschannel.channel.connect.models import AuthorizationState
from saleschannel.channel.models import Account
from saleschannel.spapi.sandbox.faults import FaultInjector
from tests.connect.conftest import CLIENT_SECRET
from tests.connect.helpers import seller_central_answer

pytestmark = pytest.mark.django_db


def test_no_secret_in_any_log_line_or_page(manager, http_sandbox, store_defaults, caplog):
    sandbox, _ = http_sandbox
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="saleschannel")
    client = Client()
    client.force_login(manager)
    pages: list[str] = []
    codes: list[str] = []
    browser_records: set[int] = set()  # the test's own visit to Seller Central is not ours to check

    def flow(tamper=None):
        started = client.post("/accounts/connect/", {"marketplace": "ATVPDKIKX0DER"})
        first = len(caplog.records)
        answer = seller_central_answer(started["location"])
        browser_records.update(id(r) for r in caplog.records[first:])
        codes.append(answer["spapi_oauth_code"])
        back = client.get("/accounts/connect/callback/", tamper(answer) if tamper else answer)
        pages.append(back.content.decode())
        if back.status_code == 302:
            pages.append(client.get(back["location"]).content.decode())
        return back

    assert flow().status_code == 302
    assert flow(lambda a: {**a, "spapi_oauth_code": a["spapi_oauth_code"] + "x"}).status_code == 400
    sandbox.faults = FaultInjector(1.0, seed=3, stall_seconds=0)
    try:
        failed = flow()
    finally:
        sandbox.faults = FaultInjector(0.0)
    assert failed.status_code in (400, 502)
    assert AuthorizationState.objects.filter(outcome="refused").count() == 2
    account = Account.objects.get()
    pages.append(client.get(f"/accounts/connect/{account.pk}/").content.decode())
    pages.append(client.get("/").content.decode())
    secrets = [account.refresh_token, CLIENT_SECRET, *codes]
    assert all(secrets)
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records if id(r) not in browser_records)
    assert "/auth/o2/token" in logged and "connected through Amazon" in logged  # the log was captured
    for secret in secrets:
        assert secret not in logged
        for page in pages:
            assert secret not in page
