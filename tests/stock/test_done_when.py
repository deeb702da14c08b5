"""Stock to Amazon, done (T10, T13, C48), through the command line against the sandbox over HTTP:
push enabled, no worker; the store's stock set; Amazon orders imported; some shipped; one
``sync --once``; then every MFN offer on Amazon shows exactly its desired quantity, and
``listings --json`` says why each was pushed."""

from __future__ import annotations

import datetime as dt
import json
import signal

import pytest

from saleschannel.channel.models import AmazonOrder
from saleschannel.channel.stock.models import StockPush
from saleschannel.channel.stock.services import stock_settings_update
from saleschannel.cli import main
from saleschannel.commerce.inventory.services import source_item_set
from saleschannel.spapi.sandbox import DEFAULT_SKUS
from tests.sync.conftest import US, connect, stock_catalog

pytestmark = pytest.mark.django_db
LISTED = len(DEFAULT_SKUS)  # every SKU of the sandbox's catalog


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
    """The sandbox over HTTP on loopback, its first SKUs listed FBM (50 each), on the real clock."""
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp, run_in_thread

    app = SandboxApp(seed=5, rate_limits=False, marketplaces=[MARKETPLACES[0]], listings=LISTED)
    url, stop = run_in_thread(app)
    yield app, url
    stop()
    app.close()


@pytest.fixture
def shop(store_defaults, served):
    _app, url = served
    stock_catalog(qty=40)
    account = connect(name="push-shop", now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), endpoint=url)
    stock_settings_update(account=account, changes={"push_stock": "enabled"})
    return account


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def on_amazon(app) -> dict[str, int]:
    return {row["sku"]: row["channels"]["DEFAULT"] for row in app.listings_view() if "DEFAULT" in row["channels"]}


def test_t10_c48_one_sync_once_brings_every_mfn_offer_to_its_desired_quantity(shop, served, capsys):
    app, _ = served
    source_item_set(source=None, sku=DEFAULT_SKUS[0], quantity=3)  # the store's own stock
    source_item_set(source=None, sku=DEFAULT_SKUS[1], quantity=0)
    for order_id in app.generate(10):  # buyers on Amazon: units off the listings at once (C47)
        app.change_status(order_id, "UNSHIPPED")  # paid: the store imports and may ship them
    code, out, err = run(capsys, "sync", "push-shop", "--once", "--json")
    assert code == 0, err
    shipped = 0
    for order in AmazonOrder.objects.filter(store_order__isnull=False, channel=AmazonOrder.Channel.FBM,
                                            status="Unshipped").select_related("store_order")[:3]:
        code, _, err = run(capsys, "ship", order.store_order.number, "--carrier", "UPS", "--tracking", f"1Z{shipped}")
        assert code == 0, err
        shipped += 1
    code, out, err = run(capsys, "sync", "push-shop", "--once", "--json")
    assert code == 0, err
    code, out, err = run(capsys, "listings", "push-shop", "--json")
    assert code == 0, err
    rows = {row["sku"]: row for row in json.loads(out)}
    mfn = {sku: row for sku, row in rows.items() if row["channel"] == "MFN"}
    assert len(mfn) == LISTED
    amazon = on_amazon(app)
    assert {sku: amazon[sku] for sku in mfn} == {sku: row["desired_quantity"] for sku, row in mfn.items()}
    assert all(row["state"] == "in_sync" for row in mfn.values()), [r for r in mfn.values() if r["state"] != "in_sync"]
    assert rows[DEFAULT_SKUS[0]]["desired_quantity"] == 3 and amazon[DEFAULT_SKUS[1]] == 0
    assert all(row["reason"] for row in mfn.values())  # T13: why each was pushed
    assert rows[DEFAULT_SKUS[0]]["reason"] in ("stock set", "listing discovered") or "order" in rows[
        DEFAULT_SKUS[0]]["reason"]
    assert shipped >= 1
    pushes = StockPush.objects.all()
    assert pushes.filter(outcome="accepted").count() == pushes.count()


def test_t10_c48_push_once_json_prints_the_numbers_and_pushes_once_per_version(shop, served, capsys):
    app, _ = served
    source_item_set(source=None, sku=DEFAULT_SKUS[0], quantity=3)
    code, out, err = run(capsys, "push", "push-shop", "--once", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert set(first) == {"pushed", "skipped", "errors", "feeds", "api_calls"}
    assert first["pushed"] == LISTED and first["errors"] == 0 and first["feeds"] == 0
    assert first["api_calls"] >= LISTED + 1  # the search (T3) and one patch per offer
    assert on_amazon(app)[DEFAULT_SKUS[0]] == 3
    code, out, err = run(capsys, "push", "push-shop", "--once", "--json")
    assert json.loads(out) == {"pushed": 0, "skipped": 0, "errors": 0, "feeds": 0, "api_calls": 0}
    assert app.calls()["operations"]["patchListingsItem"] == LISTED


def test_t3_c48_listings_discover_reads_amazons_quantity_and_drift_goes_next_cycle(shop, served, capsys):
    app, _ = served
    code, out, err = run(capsys, "push", "push-shop", "--once", "--json")
    assert code == 0, err
    sku = DEFAULT_SKUS[2]
    app.type_quantity(US, sku, "DEFAULT", 999)  # typed into Seller Central
    code, out, err = run(capsys, "listings", "discover", "push-shop", "--json")
    assert code == 0, err
    assert json.loads(out)["mfn"] == LISTED
    rows = {row["sku"]: row for row in json.loads(run(capsys, "listings", "push-shop", "--json")[1])}
    assert (rows[sku]["amazon_quantity"], rows[sku]["state"]) == (999, "drift")
    code, out, err = run(capsys, "push", "push-shop", "--once", "--json")
    assert json.loads(out)["pushed"] == 1 and on_amazon(app)[sku] == 40
    rows = {row["sku"]: row for row in json.loads(run(capsys, "listings", "push-shop", "--json")[1])}
    assert rows[sku]["reason"] == "drift" and rows[sku]["state"] == "in_sync"
