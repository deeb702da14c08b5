"""The worker: runs every account's sync cycles, for ever, until asked to stop.

No business rules here: the loop claims work (leases, fetch requests), hands it to the
channel's services, and asks the scheduler when each account is next due. Any number of
workers share the accounts through the database; a worker that dies leaves leases that
expire and are taken over.

- ``Worker(*, clock=None, policy=None, client_factory=None, holder=None).run()``
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

from saleschannel.channel.models import Account, OrderFetchRequest, SyncRun
from saleschannel.channel.outbox.services import outbox_send_due
from saleschannel.channel.services.notifications import fetch_requests_serve
from saleschannel.channel.services.retention import buyer_data_mask
from saleschannel.channel.services.sync.base import StopRequested
from saleschannel.channel.services.sync.client import account_client
from saleschannel.channel.services.sync.cycle import account_sync_cycle
from saleschannel.channel.services.sync.fetches import claimable
from saleschannel.channel.services.sync.ratelimit import ratelimit_patience
from saleschannel.channel.services.sync.scheduler import SyncPolicy
from saleschannel.channel.services.sync.synclog import sync_log_prune
from saleschannel.channel.services.syncrequests import (
    sync_request_finish,
    sync_request_start,
    sync_requests_claimable,
)
from saleschannel.channel.stock.models import StockSettings
from saleschannel.channel.stock.services import stock_pushes_cleanup
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.errors import AuthFailed
from saleschannel.workers.leases import (
    Heartbeat,
    account_lease_key,
    due_after,
    holder_name,
    lease_claim_due,
    lease_ensure,
    lease_release,
    lease_try,
)
from saleschannel.workers.liveness import holder_alive, worker_beat, worker_gone
from saleschannel.workers.models import Lease
from saleschannel.workers.push import account_push_try

log = logging.getLogger("saleschannel.worker")
RETENTION_LEASE = "job:buyer-data-retention"
PUSH_EVERY_SECONDS = 1.0  # [D] T5: the changes of one SKU within a second go as one push
ClientFactory = Callable[[Account, Clock], SpApiClient]


class StoppableClock:
    """A clock whose sleeps end early, raising ``StopRequested``, once the worker is asked to stop.

    Sleeps happen only while waiting for Amazon (rate limit, retries), never inside an
    order's transaction, so a stop never leaves an order half-done.
    """

    def __init__(self, base: Clock, stop: threading.Event):
        self.base, self.stop = base, stop

    def now(self) -> dt.datetime:
        return self.base.now()

    def monotonic(self) -> float:
        return self.base.monotonic()

    def sleep(self, seconds: float) -> None:
        if self.stop.is_set():
            raise StopRequested()
        if isinstance(self.base, SystemClock):
            if self.stop.wait(seconds):
                raise StopRequested()
        else:
            self.base.sleep(seconds)


def _default_client(account: Account, clock: Clock) -> SpApiClient:
    return account_client(account=account, clock=clock)


class Worker:
    """Runs sync cycles for every account until ``stop`` is set (SIGTERM/SIGINT in the CLI)."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        policy: SyncPolicy | None = None,
        client_factory: ClientFactory | None = None,
        holder: str | None = None,
        stop: threading.Event | None = None,
    ):
        self.stop = stop or threading.Event()
        self.clock = StoppableClock(clock or SystemClock(), self.stop)
        self.policy = policy or SyncPolicy.from_settings()
        self.client_factory = client_factory or _default_client
        self.holder = holder or holder_name()
        self.cycles = 0
        self._clients: dict[tuple[int, str], SpApiClient] = {}
        self._reconciled_at: dt.datetime | None = None
        self._retention_checked_at: dt.datetime | None = None
        self._beat_at: dt.datetime | None = None
        self._pushed_at: dt.datetime | None = None

    # -- the loop ---------------------------------------------------------------------
    def run(self) -> None:
        """Work until asked to stop; the order in hand is always finished first."""
        log.info("worker %s started", self.holder)
        try:
            while not self.stop.is_set():
                close_old_connections()
                try:
                    busy = self.tick()
                except StopRequested:
                    break
                except Exception:  # one account's trouble must not stop the others
                    log.exception("worker %s: a sync step failed", self.holder)
                    busy = False
                if not busy:
                    self.stop.wait(self.policy.idle_poll)
        finally:
            for client in self._clients.values():
                client.close()
            worker_gone(holder=self.holder)
            log.info("worker %s stopped", self.holder)

    def tick(self) -> bool:
        """One unit of work: notifications first (seconds matter), then one due account."""
        self._reconcile_leases()
        self._beat()
        served = self._serve_fetch_requests()
        asked = self._serve_sync_requests()
        synced = self._sync_one_due_account()
        sent = self._send_outbox()
        pushed = self._push_stock()
        self._buyer_data_retention()
        return bool(served or asked or synced or sent or pushed)

    def _beat(self) -> None:
        """Say that this worker runs ("Sync now" tells the merchant when none does)."""
        now = self.clock.now()
        if self._beat_at is not None and (now - self._beat_at).total_seconds() < 5:
            return
        self._beat_at = now
        worker_beat(holder=self.holder, now=now, ttl=max(30.0, 3 * self.policy.idle_poll))

    def _serve_sync_requests(self) -> int:
        """"Sync now": a cycle at once for each account asked for, when its lease is free.

        An account another worker is syncing keeps its request until that cycle ends; a
        request whose worker stopped is served again.
        """
        now = self.clock.now()
        served = 0
        for ask in sync_requests_claimable(alive=lambda r: holder_alive(holder=r.claimed_by, now=now)):
            key = account_lease_key(ask.account_id)
            if not lease_try(key=key, holder=self.holder, ttl=self.policy.lease_ttl, now=now):
                continue
            account, run, error = ask.account, None, ""
            try:
                if not sync_request_start(request=ask, holder=self.holder, now=now):
                    continue
                run = self._cycle(account, key)
            except StopRequested:
                error = "The worker stopped before the cycle ended."
                raise
            except Exception as exc:  # the merchant sees why; the other accounts go on
                log.exception("account %s: the requested sync failed", account.pk)
                error = f"{type(exc).__name__}: {exc}"
            finally:
                if ask.claimed_by == self.holder:
                    sync_request_finish(request=ask, run=run, error=error, now=self.clock.now())
                lease_release(key=key, holder=self.holder, due_at=due_after(account, run, self.clock, self.policy))
            served += 1
        return served

    def _buyer_data_retention(self) -> None:
        """C27: once a day, by whichever worker takes the job's lease, mask buyer data past its retention
        and delete the sync log's runs past theirs."""
        now = self.clock.now()
        if self._retention_checked_at is not None and (now - self._retention_checked_at).total_seconds() < 60:
            return
        self._retention_checked_at = now
        lease_ensure(keys=[RETENTION_LEASE], now=now)
        if lease_claim_due(holder=self.holder, ttl=self.policy.lease_ttl, now=now, prefix=RETENTION_LEASE) is None:
            return
        due = now + dt.timedelta(hours=1)  # a failed run is tried again in an hour
        try:
            buyer_data_mask(now=now)
            sync_log_prune(now=now)
            stock_pushes_cleanup(now=now)  # T13: push records kept 90 days
            due = now + dt.timedelta(days=1)
        finally:
            lease_release(key=RETENTION_LEASE, holder=self.holder, due_at=due)

    def _send_outbox(self) -> int:
        """Confirmations to Amazon that shipments wrote (the outbox), sent with the accounts' clients."""

        return outbox_send_due(client_factory=lambda account, _clock: self._client(account), clock=self.clock)

    def _push_stock(self) -> int:
        """T10: each account pushing stock, at most once a second (T5: the changes of one second go
        as one push, the last winning), under its lease when free (else its holder pushes next)."""
        now = self.clock.now()
        if self._pushed_at is not None and (now - self._pushed_at).total_seconds() < PUSH_EVERY_SECONDS:
            return 0
        self._pushed_at = now
        done = 0
        for account in Account.objects.filter(credentials_state=Account.CredentialsState.OK,
                                              stock_settings__push_stock=StockSettings.PushStock.ENABLED):
            if self.stop.is_set():
                break
            cycle = account_push_try(account=account, client=self._client(account), clock=self.clock,
                                     holder=self.holder, ttl=self.policy.lease_ttl, stop=self.stop.is_set)
            done += (cycle.pushed + cycle.errors + cycle.feeds) if cycle is not None else 0
        return done

    # -- the steps --------------------------------------------------------------------
    def _client(self, account: Account) -> SpApiClient:
        """The account's client, made again when its credentials changed (a reconnect)."""
        key = (account.pk, account.refresh_token_encrypted + account.client_id_encrypted + account.endpoint)
        client = self._clients.get(key)
        if client is None:
            for stale in [k for k in self._clients if k[0] == account.pk]:
                self._clients.pop(stale).close()
            client = self.client_factory(account, self.clock)
            self._clients[key] = client
        return client

    def _reconcile_leases(self) -> None:
        """Every account that can sync has a lease row; one needing reconnecting is parked."""
        now = self.clock.now()
        if self._reconciled_at is not None and (now - self._reconciled_at).total_seconds() < 10:
            return
        self._reconciled_at = now
        ok = Account.objects.filter(credentials_state=Account.CredentialsState.OK)
        ok_keys = [account_lease_key(pk) for pk in ok.values_list("pk", flat=True)]
        lease_ensure(keys=ok_keys, now=now)
        Lease.objects.filter(key__in=ok_keys, due_at__isnull=True).update(due_at=now)  # reconnected
        Lease.objects.filter(key__startswith="account:").exclude(key__in=ok_keys).update(due_at=None)

    def _serve_fetch_requests(self) -> int:
        now = self.clock.now()
        account_ids = list(
            OrderFetchRequest.objects.filter(claimable(now)).values_list("account_id", flat=True).distinct()[:20]
        )
        served = 0
        for account in Account.objects.filter(pk__in=account_ids, credentials_state=Account.CredentialsState.OK):
            try:
                with ratelimit_patience(self.policy.fetch_patience):
                    served += fetch_requests_serve(account=account, client=self._client(account),
                                                   clock=self.clock, limit=self.policy.fetch_batch,
                                                   holder=self.holder, stop=self.stop.is_set)
            except AuthFailed:
                log.warning("account %s: Amazon refused the credentials; parked until reconnected", account.pk)
        return served

    def _sync_one_due_account(self) -> bool:
        lease = lease_claim_due(holder=self.holder, ttl=self.policy.lease_ttl, now=self.clock.now())
        if lease is None:
            return False
        account = Account.objects.filter(pk=int(lease.key.split(":", 1)[1])).first()
        if account is None:
            lease.delete()
            return True
        run = None
        try:
            run = self._cycle(account, lease.key)
        finally:
            lease_release(key=lease.key, holder=self.holder, due_at=due_after(account, run, self.clock, self.policy))
        return True

    def _cycle(self, account: Account, key: str) -> SyncRun:
        with Heartbeat(key=key, holder=self.holder, ttl=self.policy.lease_ttl, now=self.clock.now) as beat:
            def stopping() -> bool:
                return self.stop.is_set() or beat.lost.is_set()

            run = account_sync_cycle(account=account, client=self._client(account), clock=self.clock,
                                     policy=self.policy, stop=stopping)
        self.cycles += 1
        log.info("account %s: %s, %s fetched, %s created, %s API calls", account.pk, run.outcome, run.fetched,
                 run.created, run.api_calls)
        return run
