"""``saleschannel ship`` (spec/cli.md, C22), run in-process: it ships, writes the confirmation,
and refuses bad input with exit 2, one line naming the field and the value, nothing changed."""

from __future__ import annotations

import json

import pytest

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.cli import main
from saleschannel.commerce.inventory.models import Reservation
from saleschannel.commerce.shipping.models import Shipment
from tests.shipping.conftest import ledger, source_qty

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ship_all_remaining_items(cli, imported):
    ao, order = imported()
    code, out, err = cli("ship", order.number, "--carrier", "UPS", "--tracking", "1Z999", "--json")
    assert code == 0, err
    row = json.loads(out)
    assert row["order"] == order.number and row["state"] == "complete" and row["confirmation"] == "pending"
    assert row["items"] == [{"sku": "SKU-A", "qty": 2}, {"sku": "SKU-B", "qty": 1}]
    message = OutboxMessage.objects.get()
    assert message.package_reference_id == str(row["shipment"]) == row["package_reference_id"]
    assert message.amazon_order_id == ao.amazon_order_id
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}


def test_ship_some_items_by_sku_and_by_line(cli, imported):
    _, order = imported()
    code, out, err = cli("ship", order.number, "--carrier", "Other", "--carrier-name", "Local Post",
                         "--tracking", "LP1", "--items", "SKU-A=1", "--ship-date", "2026-11-03", "--json")
    assert code == 0, err
    row = json.loads(out)
    assert row["state"] == "processing" and row["items"] == [{"sku": "SKU-A", "qty": 1}]
    assert row["ship_date"] == "2026-11-03T00:00:00Z"
    code, out, err = cli("ship", order.number, "--carrier", "USPS", "--tracking", "94", "--items", "1=1,2=1",
                         "--source", "default", "--json")
    assert code == 0, err
    assert json.loads(out)["state"] == "complete"
    assert Shipment.objects.count() == 2 and (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)


def test_ship_needs_store_when_two_stores_share_the_number(cli, imported, enabled_account):
    from saleschannel.channel.services.settings import order_settings_update
    from saleschannel.commerce.stores.services import store_create

    _, first = imported()
    second_store = store_create(code="second", name="Second")
    order_settings_update(account=enabled_account, changes={"store": second_store})
    _, second = imported()
    assert first.number == second.number  # each store numbers its own orders
    code, out, err = cli("ship", first.number, "--carrier", "UPS", "--tracking", "1")
    assert code == 2 and out == "" and "--store" in err and first.number in err
    code, _out, err = cli("ship", first.number, "--store", "second", "--carrier", "UPS", "--tracking", "1")
    assert code == 0, err
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.state, second.state) == ("new", "complete")


@pytest.mark.parametrize(
    ("extra", "field", "value"),
    [
        (["--carrier", "Other", "--tracking", "1"], "carrier_name", ""),
        (["--carrier", "UPS", "--tracking", ""], "tracking", ""),
        (["--carrier", "UPS", "--tracking", "1", "--items", "SKU-Z=1"], "items", "SKU-Z"),
        (["--carrier", "UPS", "--tracking", "1", "--items", "SKU-A=3"], "SKU-A", "3"),
        (["--carrier", "UPS", "--tracking", "1", "--items", "SKU-A=x"], "items", "SKU-A=x"),
        (["--carrier", "UPS", "--tracking", "1", "--items", "SKU-A"], "items", "SKU-A"),
        (["--carrier", "UPS", "--tracking", "1", "--items", "SKU-A=0.5"], "SKU-A", "0.5"),
        (["--carrier", "UPS", "--tracking", "1", "--source", "nowhere"], "source", "nowhere"),
        (["--carrier", "UPS", "--tracking", "1", "--store", "nowhere"], "store", "nowhere"),
        (["--carrier", "UPS", "--tracking", "1", "--ship-date", "yesterday"], "ship_date", "yesterday"),
        (["--carrier", "UPS", "--tracking", "1", "--ship-date", "2999-01-01"], "ship_date", "2999-01-01"),
    ],
)
def test_refused_input_exits_2_naming_the_field_and_changes_nothing(cli, imported, extra, field, value):
    _, order = imported()
    entries = Reservation.objects.count()
    code, out, err = cli("ship", order.number, *extra)
    assert code == 2, (code, out, err)
    assert out == "" and err.count("\n") == 1 and field in err and value in err, err
    order.refresh_from_db()
    assert order.state == "new" and not Shipment.objects.exists() and not OutboxMessage.objects.exists()
    assert Reservation.objects.count() == entries and source_qty("SKU-A") == 10


def test_an_unknown_order_is_refused(cli, imported):
    imported()
    code, _out, err = cli("ship", "999999999", "--carrier", "UPS", "--tracking", "1")
    assert code == 2 and "order" in err and "999999999" in err


def test_a_sku_on_two_lines_must_be_named_by_line(cli, imported):
    _, order = imported(items=(("SKU-A", 1), ("SKU-A", 1)))
    code, out, err = cli("ship", order.number, "--carrier", "UPS", "--tracking", "1", "--items", "SKU-A=1")
    assert code == 2 and out == "" and "lines 1 and 2" in err
    code, _out, err = cli("ship", order.number, "--carrier", "UPS", "--tracking", "1", "--items", "2=1", "--json")
    assert code == 0, err
    shipped = {i.pk: i.qty_shipped for i in order.items.order_by("pk")}
    assert list(shipped.values()) == [0, 1]


def test_ship_and_send_now_over_the_sandbox_served_on_loopback(cli, imported, amazon, enabled_account):
    from saleschannel.spapi.sandbox.server import SandboxServer

    server = SandboxServer(amazon.app, "127.0.0.1", 0)
    server.start()
    try:
        enabled_account.endpoint = server.base_url
        enabled_account.token_url = f"{server.base_url}/auth/o2/token"
        enabled_account.save()
        ao, order = imported()
        code, out, err = cli("ship", order.number, "--carrier", "UPS", "--tracking", "1Z1", "--send-now", "--json")
    finally:
        server.stop()
    assert code == 0, err
    row = json.loads(out)
    assert row["confirmation"] == "sent"
    [package] = amazon.packages(ao.amazon_order_id)
    assert package["packageReferenceId"] == row["package_reference_id"] and package["trackingNumber"] == "1Z1"
    assert amazon.app.calls()["operations"]["confirmShipment"] == 1


def test_c39_send_now_exits_1_with_amazons_words_when_amazon_refuses(cli, imported, amazon, enabled_account):
    from saleschannel.spapi.sandbox.server import SandboxServer

    server = SandboxServer(amazon.app, "127.0.0.1", 0)
    server.start()
    try:
        enabled_account.endpoint = server.base_url
        enabled_account.token_url = f"{server.base_url}/auth/o2/token"
        enabled_account.save()
        ao, order = imported()
        amazon.app.cancel_line(ao.amazon_order_id)  # Amazon canceled SKU-B; the store has not seen it yet
        code, out, err = cli("ship", order.number, "--carrier", "UPS", "--tracking", "1Z1", "--send-now", "--json")
    finally:
        server.stop()
    assert code == 1, (out, err)
    assert json.loads(out)["confirmation"] == "refused"
    message = OutboxMessage.objects.get()
    assert message.state == "refused" and message.last_error and message.last_error in err
    assert not amazon.packages(ao.amazon_order_id)


def test_t10_sync_once_sends_the_accounts_due_confirmations_without_a_worker(cli, imported, amazon, enabled_account):
    from saleschannel.spapi.sandbox.server import SandboxServer

    server = SandboxServer(amazon.app, "127.0.0.1", 0)
    server.start()
    try:
        enabled_account.endpoint = server.base_url
        enabled_account.token_url = f"{server.base_url}/auth/o2/token"
        enabled_account.save()
        ao, order = imported()
        code, out, err = cli("ship", order.number, "--carrier", "UPS", "--tracking", "1Z1", "--json")
        assert code == 0, err
        assert json.loads(out)["confirmation"] == "pending" and not amazon.packages(ao.amazon_order_id)

        code, _out, err = cli("sync", enabled_account.name, "--once", "--json")
        assert code == 0, err
        code, _out, err = cli("sync", enabled_account.name, "--once", "--json")
        assert code == 0, err
    finally:
        server.stop()
    [package] = amazon.packages(ao.amazon_order_id)
    assert package["trackingNumber"] == "1Z1"
    assert amazon.app.calls()["operations"]["confirmShipment"] == 1
    assert OutboxMessage.objects.get().state == "sent"
