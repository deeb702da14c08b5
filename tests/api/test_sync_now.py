"""#22: "Sync now" through the API asks the account's worker and answers at once, whatever it does."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from saleschannel.api.tokens import api_token_create
from saleschannel.channel.models import SyncRequest, SyncRun
from saleschannel.channel.services.syncrequests import sync_request_finish, sync_request_start
from saleschannel.workers.leases import account_lease_key
from saleschannel.workers.liveness import worker_beat
from saleschannel.workers.models import Lease

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


@pytest.fixture
def api(manager):
    return client_for(manager)


def hold_lease(account, holder="busy-worker"):
    """Another worker is in the middle of the account's cycle and keeps renewing its lease."""
    now = timezone.now()
    Lease.objects.update_or_create(key=account_lease_key(account.pk), defaults={
        "holder": holder, "expires_at": now + dt.timedelta(seconds=60), "heartbeat_at": now, "due_at": None})


def test_sync_now_answers_at_once_while_the_worker_holds_the_accounts_lease(api, account):
    hold_lease(account)
    api.get("/api/v1/accounts")  # the first request of a test pays for setting things up
    started = time.perf_counter()
    response = api.post(f"/api/v1/accounts/{account.pk}/sync")
    elapsed = time.perf_counter() - started
    assert response.status_code == 202, response.content
    assert elapsed < 0.2, f"Sync now took {elapsed:.3f} s"
    body = response.json()
    assert body["state"] == "requested" and body["worker_running"] is True and body["sync_run"] is None
    assert response["Location"].endswith(body["url"])
    assert not SyncRun.objects.exists()  # the web ran no cycle
    followed = api.get(body["url"])
    assert followed.status_code == 200 and followed.json()["id"] == body["id"]


def test_asking_again_while_a_request_is_open_gives_the_same_request(api, account):
    worker_beat(holder="w1", now=timezone.now(), ttl=30)
    first = api.post(f"/api/v1/accounts/{account.pk}/sync").json()
    second = api.post(f"/api/v1/accounts/{account.pk}/sync").json()
    assert first["id"] == second["id"] and "already requested" in second["detail"]
    assert SyncRequest.objects.count() == 1


def test_with_no_worker_running_it_says_so_and_keeps_the_request(api, account):
    Lease.objects.create(key="worker:gone", holder="gone", expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api.post(f"/api/v1/accounts/{account.pk}/sync")
    assert response.status_code == 202
    body = response.json()
    assert body["worker_running"] is False and "no worker is running" in body["detail"]
    assert SyncRequest.objects.get().state == "requested"


def test_the_request_shows_its_sync_log_entry_once_done(api, account):
    request = SyncRequest.objects.create(account=account, requested_at=timezone.now())
    sync_request_start(request=request, holder="w1", now=timezone.now())
    assert api.get(f"/api/v1/sync-requests/{request.pk}").json()["state"] == "running"
    run = SyncRun.objects.create(account=account, started_at=timezone.now(), outcome="ok")
    sync_request_finish(request=request, run=run, now=timezone.now())
    body = api.get(f"/api/v1/sync-requests/{request.pk}").json()
    assert body["state"] == "done" and body["sync_run"] == run.pk and body["outcome"] == "ok"
    # Done: the next Sync now is a new request.
    assert api.post(f"/api/v1/accounts/{account.pk}/sync").json()["id"] != request.pk


def test_an_account_that_needs_reconnecting_is_refused(api, account):
    account.credentials_state = "needs_reconnecting"
    account.save()
    response = api.post(f"/api/v1/accounts/{account.pk}/sync")
    assert response.status_code == 409 and "needs reconnecting" in response.json()["detail"]
    assert not SyncRequest.objects.exists()
    assert api.post("/api/v1/accounts/999999/sync").status_code == 404
    assert api.get("/api/v1/sync-requests/999999").status_code == 404


def test_staff_may_follow_but_not_ask(staff, account):
    staff_api = client_for(staff)
    assert staff_api.post(f"/api/v1/accounts/{account.pk}/sync").status_code == 403
    request = SyncRequest.objects.create(account=account, requested_at=timezone.now())
    assert staff_api.get(f"/api/v1/sync-requests/{request.pk}").status_code == 200
