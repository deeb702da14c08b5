"""Shipping an imported FBM order from the store: stock, ledger, order state, and the outbox row (R21, C3, C22)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from saleschannel.channel.outbox.models import OutboxMessage
from saleschannel.channel.outbox.services import amazon_order_ship
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.models import Reservation
from saleschannel.commerce.shipping.models import Shipment
from tests.shipping.conftest import SHIP_TIME, ledger, reservations_of, salable, source_qty

pytestmark = pytest.mark.django_db


def _item(order, sku):
    return order.items.get(sku=sku)


def test_r21_full_shipment_deducts_releases_completes_and_writes_the_confirmation(imported):
    ao, order = imported()
    assert reservations_of("order", order.pk) == {"SKU-A": Decimal(-2), "SKU-B": Decimal(-1)}

    shipment, message = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z999",
                                          shipped_at=SHIP_TIME)

    order.refresh_from_db()
    assert order.state == "complete"
    assert [(i.sku, i.qty_shipped) for i in order.items.order_by("pk")] == [("SKU-A", 2), ("SKU-B", 1)]
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    assert (salable("SKU-A"), salable("SKU-B")) == (8, 4)
    assert message is not None and message.state == "pending"
    assert message.payload == {
        "marketplaceId": "ATVPDKIKX0DER",
        "packageDetail": {
            "packageReferenceId": str(shipment.pk),
            "carrierCode": "UPS",
            "trackingNumber": "1Z999",
            "shipDate": SHIP_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "orderItems": [{"orderItemId": f"{ao.amazon_order_id}-1", "quantity": 2},
                           {"orderItemId": f"{ao.amazon_order_id}-2", "quantity": 1}],
        },
    }
    assert order.history.filter(state="complete").exists()


def test_partial_shipment_goes_processing_then_complete(imported):
    _, order = imported()
    amazon_order_ship(order=order, carrier_code="Other", carrier_name="Local Post", tracking_number="LP1",
                      lines=[(_item(order, "SKU-A").pk, 1)])
    order.refresh_from_db()
    assert order.state == "processing"
    assert source_qty("SKU-A") == 9 and source_qty("SKU-B") == 5
    assert reservations_of("order", order.pk) == {"SKU-A": Decimal(-1), "SKU-B": Decimal(-1)}
    assert salable("SKU-A") == 8 and salable("SKU-B") == 4  # what is held stays held

    _, second = amazon_order_ship(order=order, carrier_code="USPS", tracking_number="9400")
    order.refresh_from_db()
    assert order.state == "complete"
    assert [i["quantity"] for i in second.payload["packageDetail"]["orderItems"]] == [1, 1]
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}
    first = OutboxMessage.objects.order_by("pk").first()
    assert first.payload["packageDetail"]["carrierName"] == "Local Post"
    assert first.package_reference_id != second.package_reference_id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"carrier_code": "", "tracking_number": "1"}, "carrier"),
        ({"carrier_code": "Other", "tracking_number": "1"}, "carrier_name"),
        ({"carrier_code": "UPS", "tracking_number": " "}, "tracking"),
        ({"carrier_code": "UPS", "tracking_number": "1", "lines": [("SKU-A", 1)]}, "items"),
        ({"carrier_code": "UPS", "tracking_number": "1", "source": "nowhere"}, "source"),
        ({"carrier_code": "UPS", "tracking_number": "1", "shipped_at": dt.datetime(2026, 1, 1)}, "ship_date"),
    ],
)
def test_refused_input_names_the_field_and_changes_nothing(imported, kwargs, field):
    _, order = imported()
    ledger = Reservation.objects.count()
    with pytest.raises(InvalidInput) as refused:
        amazon_order_ship(order=order, **kwargs)
    assert refused.value.field == field
    order.refresh_from_db()
    assert order.state == "new" and not Shipment.objects.exists() and not OutboxMessage.objects.exists()
    assert Reservation.objects.count() == ledger and source_qty("SKU-A") == 10


def test_more_than_remains_or_a_part_of_a_unit_is_refused(imported):
    _, order = imported()
    a = _item(order, "SKU-A")
    with pytest.raises(InvalidInput, match="more than the 2 left to ship"):
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1", lines=[(a.pk, 3)])
    with pytest.raises(InvalidInput, match="whole units"):
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1", lines=[(a.pk, "0.5")])
    amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1")
    with pytest.raises(InvalidInput, match="complete"):
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="2")
    assert Shipment.objects.count() == 1 and source_qty("SKU-A") == 8


def test_a_source_holding_too_little_is_refused(imported):
    from saleschannel.commerce.inventory.services import source_item_set

    _, order = imported()
    source_item_set(source=None, sku="SKU-A", quantity=1)
    with pytest.raises(InvalidInput) as refused:
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1")
    assert refused.value.field == "source"
    assert not Shipment.objects.exists() and source_qty("SKU-A") == 1


def test_fba_orders_are_not_shipped_from_the_store(imported):
    _, order = imported(status="Shipped", channel="FBA")
    with pytest.raises(InvalidInput, match="fulfilled by Amazon"):
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1")


def test_c2_shipping_works_while_import_is_disabled(imported, enabled_account):
    from saleschannel.channel.services.settings import order_settings_update

    _, order = imported()
    order_settings_update(account=enabled_account, changes={"import_orders": "disabled"})
    _, message = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1Z")
    order.refresh_from_db()
    assert order.state == "complete" and message is not None


def test_r21_fba_order_imported_at_shipped_is_complete_without_stock_movement(imported):
    _, order = imported(status="Shipped", channel="FBA")
    order.refresh_from_db()
    assert order.state == "complete"
    assert list(Reservation.objects.filter(object_type="order", object_id=str(order.pk)).values_list("sku", "quantity", "event_type")) == []
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (10, 5)
    assert not Shipment.objects.exists()


def test_a_store_order_that_came_from_no_channel_ships_without_a_confirmation(stocked, store_defaults):
    from saleschannel.commerce.sales.services import OrderLine, OrderTotals, order_create, order_reserve

    order = order_create(store=store_defaults, number="100", email="shop@example.com", firstname="A",
                         lastname="B", currency="USD", totals=OrderTotals(),
                         lines=[OrderLine(sku="SKU-A", name="A", qty=Decimal(3), price=Decimal(1))])
    order_reserve(order=order)
    shipment, message = amazon_order_ship(order=order, carrier_code="DHL", tracking_number="JD1",
                                          lines=[(order.items.get().pk, "1.5")])
    assert message is None and not OutboxMessage.objects.exists()
    assert shipment.items.get().qty == Decimal("1.5") and source_qty("SKU-A") == Decimal("8.5")
    assert ledger(order) == {"SKU-A": Decimal("-1.5")}


def test_a_quantity_that_is_no_number_is_refused_naming_the_line(imported):
    _, order = imported()
    with pytest.raises(InvalidInput) as refused:
        amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1",
                          lines=[(order.items.get(sku="SKU-A").pk, "lots")])
    assert refused.value.field == "qty of SKU-A" and not Shipment.objects.exists()


def test_without_a_source_the_shipment_leaves_from_the_first_source_holding_the_units(imported):
    from saleschannel.commerce.inventory.models import Source, StockSourceLink
    from saleschannel.commerce.inventory.services import source_item_set

    _, order = imported(items=(("SKU-A", 2),))
    east = Source.objects.create(code="east", name="East")
    StockSourceLink.objects.create(stock=StockSourceLink.objects.get().stock, source=east, priority=2)
    source_item_set(source=None, sku="SKU-A", quantity=1)
    source_item_set(source=east, sku="SKU-A", quantity=5)
    shipment, _ = amazon_order_ship(order=order, carrier_code="UPS", tracking_number="1")
    assert shipment.source == east and source_qty("SKU-A", "east") == 3 and source_qty("SKU-A") == 1
    assert ledger(order) == {"SKU-A": 0}
