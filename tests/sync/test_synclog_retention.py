"""The sync log is kept SALESCHANNEL_SYNC_LOG_DAYS days (default 90); each account's latest run stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from saleschannel.channel.models import SyncRun
from saleschannel.channel.services.sync.synclog import sync_log_days, sync_log_prune
from tests.security.conftest import connect_account

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


def run(account, days_ago: float, *, finished: bool = True) -> SyncRun:
    started = NOW - dt.timedelta(days=days_ago)
    return SyncRun.objects.create(account=account, started_at=started, finished_at=started if finished else None,
                                  outcome="ok" if finished else "running")


def test_runs_past_the_days_go_and_each_accounts_latest_run_stays(store_defaults):
    busy = connect_account("busy", seller_id="A1BUSYSELLER")
    quiet = connect_account("quiet", seller_id="A1QUIETSELLER")
    gone = [run(busy, 200), run(busy, 120), run(quiet, 300)]
    kept = [run(busy, 10), run(busy, 1), run(busy, 95, finished=False)]  # a run never finished is not judged
    last_of_quiet = run(quiet, 150)  # its latest: stays whatever its age

    assert sync_log_prune(now=NOW) == len(gone)
    assert set(SyncRun.objects.values_list("pk", flat=True)) == {r.pk for r in [*kept, last_of_quiet]}
    assert sync_log_prune(now=NOW) == 0  # nothing twice
    assert sync_log_prune(now=NOW, days=5) == 1  # the run of ten days ago


def test_the_days_are_a_setting_and_a_bad_one_is_named(settings):
    assert sync_log_days() == 90
    settings.SALESCHANNEL_SYNC_LOG_DAYS = "30"
    assert sync_log_days() == 30
    for bad in ("soon", "0", "-3"):
        settings.SALESCHANNEL_SYNC_LOG_DAYS = bad
        with pytest.raises(ValueError, match="SALESCHANNEL_SYNC_LOG_DAYS"):
            sync_log_days()


def test_the_daily_retention_job_of_the_worker_prunes_the_log(store_defaults):
    from saleschannel.channel.models import Account
    from saleschannel.spapi.clock import FakeClock
    from saleschannel.workers.loop import Worker

    account = connect_account("old", seller_id="A1OLDSELLER")
    Account.objects.filter(pk=account.pk).update(credentials_state=Account.CredentialsState.NEEDS_RECONNECTING)
    old, latest = run(account, 100), run(account, 2)
    Worker(clock=FakeClock(NOW)).tick()
    assert list(SyncRun.objects.filter(account=account).values_list("pk", flat=True)) == [latest.pk]
    assert not SyncRun.objects.filter(pk=old.pk).exists()
