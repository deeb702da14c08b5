"""The command line of the sync engine (``spec/cli.md``): sync --once / --since, sync-log, worker."""

from __future__ import annotations

import datetime as dt
import json
import signal

import pytest

from saleschannel.cli import main
from saleschannel.workers.leases import account_lease_key, lease_try
from tests.sync.conftest import connect, stock_catalog

pytestmark = pytest.mark.django_db

SUMMARY_KEYS = {"fetched", "created", "waiting", "errors", "api_calls"}
LOG_KEYS = {"started", "finished", "pages", "fetched", "created", "waiting", "errors", "api_calls",
            "api_calls_by_operation", "throttled", "waited_seconds"}


@pytest.fixture(autouse=True)
def _quiet_environment(monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_LEASE_SECONDS", "600")  # no heartbeat fires during a test
    monkeypatch.setenv("SALESCHANNEL_LEASE_WAIT_SECONDS", "1")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


@pytest.fixture
def served():
    """The sandbox over HTTP on loopback (rate limits off), on the real clock."""
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp, run_in_thread

    app = SandboxApp(seed=3, rate_limits=False, marketplaces=[MARKETPLACES[0]])
    url, stop = run_in_thread(app)
    yield app, url
    stop()
    app.close()


@pytest.fixture
def cli_account(store_defaults, served):
    stock_catalog()
    _app, url = served
    return connect(name="cli-shop", now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), endpoint=url)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sync_once_json_prints_the_summary(cli_account, served, capsys):
    app, _ = served
    app.generate(12)
    code, out, err = run(capsys, "sync", "cli-shop", "--once", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert set(summary) == SUMMARY_KEYS
    assert summary["fetched"] == 12 and summary["api_calls"] >= 2  # a token and a page at least
    assert isinstance(summary["api_calls"], int)


def test_sync_log_json_lists_the_cycles_newest_first(cli_account, served, capsys):
    served[0].generate(3)
    for _ in range(2):
        assert run(capsys, "sync", str(cli_account.pk), "--once", "--json")[0] == 0
    code, out, _ = run(capsys, "sync-log", "cli-shop", "--limit", "1", "--json")
    assert code == 0
    (entry,) = json.loads(out)
    assert set(entry) >= LOG_KEYS
    assert entry["api_calls_by_operation"]["searchOrders"] == 1
    assert entry["started"].endswith("Z") and entry["finished"] >= entry["started"]
    code, out, _ = run(capsys, "sync-log", "cli-shop", "--json")
    assert [e["started"] for e in json.loads(out)] == sorted((e["started"] for e in json.loads(out)), reverse=True)


def test_sync_log_shows_the_calls_by_purpose(cli_account, served, capsys):
    from saleschannel.channel.models import SyncRun

    served[0].generate(3)
    assert run(capsys, "sync", str(cli_account.pk), "--once", "--json")[0] == 0
    SyncRun.objects.create(account=cli_account, started_at=SyncRun.objects.get().started_at, outcome="ok",
                           api_calls=9, api_calls_by_purpose={"incremental": 1, "notification": 3, "recheck": 4,
                                                              "sweep": 1}, rechecks_deferred=40)
    _, out, _ = run(capsys, "sync-log", "cli-shop", "--json")
    told = [e["api_calls_by_purpose"] for e in json.loads(out)]
    assert {"incremental": 1, "notification": 3, "recheck": 4, "sweep": 1} in told
    _, out, _ = run(capsys, "sync-log", "cli-shop")
    assert "(S1 1, notification 3, recheck 4, sweep 1, 40 rechecks deferred)" in out


def test_sync_since_backfills_with_plain_progress_lines_off_a_terminal(cli_account, served, capsys):
    served[0].generate(5)
    code, out, err = run(capsys, "sync", "cli-shop", "--since", "2026-01-01", "--json")
    assert code == 0, err
    assert json.loads(out)["fetched"] == 5
    assert "backfill: 1 pages, 5 orders" in err and "\r" not in err


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (("sync", "no-such-shop", "--once"), "account"),
        (("sync", "cli-shop"), "--once"),
        (("sync", "cli-shop", "--since", "yesterday"), "since"),
        (("sync", "cli-shop", "--since", "2999-01-01"), "since"),
        (("sync-log", "cli-shop", "--limit", "0", "--json"), "limit"),
        (("worker", "--lease-seconds", "0"), "lease-seconds"),
    ],
)
def test_refused_input_exits_2_naming_the_field(cli_account, capsys, argv, field):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert field in err and len(err.strip().splitlines()) == 1


def test_sync_once_waits_for_a_busy_lease_then_says_so(cli_account, capsys):
    assert lease_try(key=account_lease_key(cli_account.pk), holder="another-worker", ttl=300,
                     now=dt.datetime.now(dt.UTC))
    code, _out, err = run(capsys, "sync", "cli-shop", "--once", "--json")
    assert code == 1 and "another worker" in err and "Traceback" not in err


def test_sync_once_takes_over_a_lease_whose_holder_stopped(cli_account, served, capsys):
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    assert lease_try(key=account_lease_key(cli_account.pk), holder="a-dead-worker", ttl=60, now=stale)
    code, _, err = run(capsys, "sync", "cli-shop", "--once", "--json")
    assert code == 0, err


def test_a_failed_cycle_exits_1_with_a_plain_message(cli_account, served, capsys):
    served[0].lwa.revoke("Atzr|sync-test-refresh-token")
    code, out, err = run(capsys, "sync", "cli-shop", "--once", "--json")
    assert code == 1 and "reconnect" in err
    assert "Atzr|" not in err + out


def test_the_backfill_progress_is_a_bar_on_a_terminal():
    import io

    from saleschannel.cli.sync import Progress
    from saleschannel.spapi.models import SearchPage

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    progress = Progress(since, stream=stream)

    class Run:
        pages, fetched = 1, 0

    progress(Run(), SearchPage(orders=[], last_updated_before=None, created_before=None, next_token=None))
    progress.done(Run())
    text = stream.getvalue()
    assert text.startswith("\rbackfill [") and "100%" in text and text.endswith("\n")
