import copy
import datetime as dt
from decimal import Decimal

import pytest

from saleschannel.spapi.models import (
    DEFAULT_INCLUDED_DATA,
    INCLUDED_DATA,
    ModelError,
    Money,
    Order,
    SearchPage,
    UnreadableOrder,
    parse_order,
    read_get_order_response,
    read_order,
)
from tests.spapi.amazon import operation, orders_model, static_cases

UTC = dt.UTC


def minimal_order(**extra):
    order = {
        "orderId": "111-0000000-0000001",
        "createdTime": "2026-05-01T10:00:00Z",
        "lastUpdatedTime": "2026-05-01T11:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "orderItems": [{"orderItemId": "1", "quantityOrdered": 2, "product": {"sellerSku": "SKU-1"}}],
    }
    order.update(extra)
    return order


def successful_static_bodies():
    doc = orders_model()
    for op_id, key in (("searchOrders", "orders"), ("getOrder", "order")):
        for code, case in static_cases(doc, op_id):
            if code == "200":
                body = case["response"]
                yield from (body[key] if key == "orders" else [body[key]])


def test_default_included_data_is_in_the_model_enum_and_has_cancellation():
    param = next(
        p for p in operation(orders_model(), "searchOrders")["parameters"] if p["name"] == "includedData"
    )
    assert tuple(param["items"]["enum"]) == INCLUDED_DATA
    assert set(DEFAULT_INCLUDED_DATA) <= set(INCLUDED_DATA)
    assert "CANCELLATION" in DEFAULT_INCLUDED_DATA


def test_minimal_order_parses_with_absent_parts_as_none():
    order = parse_order(minimal_order())
    assert order.order_id == "111-0000000-0000001"
    assert order.created_time == dt.datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert order.fulfillment_status is None and order.buyer is None and order.grand_total is None
    assert order.items[0].seller_sku == "SKU-1" and order.items[0].unit_price is None
    assert not order.has_prices


@pytest.mark.parametrize(
    "missing", ["orderId", "createdTime", "lastUpdatedTime", "salesChannel", "orderItems"]
)
def test_each_required_order_field_is_enforced(missing):
    raw = minimal_order()
    del raw[missing]
    with pytest.raises(ModelError, match=missing):
        parse_order(raw)


@pytest.mark.parametrize("missing", ["orderItemId", "quantityOrdered", "product"])
def test_each_required_item_field_is_enforced(missing):
    raw = minimal_order()
    del raw["orderItems"][0][missing]
    with pytest.raises(ModelError, match=rf"orderItems\[0\]\.{missing}"):
        parse_order(raw)


@pytest.mark.parametrize(
    "patch, where",
    [
        ({"createdTime": "yesterday"}, "createdTime"),
        ({"createdTime": "2026-05-01T10:00:00"}, "createdTime"),  # no zone
        ({"fulfillment": {"fulfillmentStatus": "Shipped"}}, "fulfillmentStatus"),  # v0 spelling
        ({"fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "FBA"}}, "fulfilledBy"),
        ({"proceeds": {"grandTotal": {"amount": 12.5, "currencyCode": "USD"}}}, "amount"),  # a float
        ({"proceeds": {"grandTotal": {"amount": "abc", "currencyCode": "USD"}}}, "amount"),
        ({"proceeds": {"grandTotal": {"amount": "1"}}}, "currencyCode"),
        ({"buyer": {"buyerEmail": 42}}, "buyerEmail"),
        ({"packages": [{"carrier": "UPS"}]}, "packageReferenceId"),
    ],
)
def test_model_violations_name_the_path(patch, where):
    with pytest.raises(ModelError, match=where):
        parse_order(minimal_order(**patch))


def test_errors_never_quote_the_value_found():
    with pytest.raises(ModelError) as info:
        parse_order(minimal_order(buyer={"buyerName": ["secret-buyer@example.com"]}))
    assert "secret-buyer" not in str(info.value)


def test_boolean_is_not_an_integer_quantity():
    raw = minimal_order()
    raw["orderItems"][0]["quantityOrdered"] = True
    with pytest.raises(ModelError, match="quantityOrdered"):
        parse_order(raw)


def test_fields_amazon_adds_later_are_tolerated_and_kept_raw():
    raw = minimal_order(newThing={"x": 1})
    raw["orderItems"][0]["product"]["shinyNewField"] = "y"
    order = parse_order(raw)
    assert order.raw["newThing"] == {"x": 1}


def test_money_is_exact_decimal():
    assert Money.parse({"amount": "0.10", "currencyCode": "EUR"}) == Money(Decimal("0.10"), "EUR")


def test_breakdowns_and_totals():
    raw = minimal_order(
        proceeds={
            "grandTotal": {"amount": "31.50", "currencyCode": "EUR"},
            "breakdowns": [
                {"type": "ITEM", "subtotal": {"amount": "30.00", "currencyCode": "EUR"}},
                {"type": "SHIPPING", "subtotal": {"amount": "4.50", "currencyCode": "EUR"}},
                {"type": "DISCOUNT", "subtotal": {"amount": "-3.00", "currencyCode": "EUR"}},
            ],
        },
        programs=["PRIME", "AMAZON_BUSINESS"],
    )
    raw["orderItems"][0]["product"]["price"] = {"unitPrice": {"amount": "15.00", "currencyCode": "EUR"}}
    raw["orderItems"][0]["proceeds"] = {
        "breakdowns": [
            {"type": "TAX", "subtotal": {"amount": "1.10", "currencyCode": "EUR"}},
            {"type": "TAX", "subtotal": {"amount": "0.40", "currencyCode": "EUR"}},
        ]
    }
    order = parse_order(raw)
    assert order.shipping_total == Money(Decimal("4.50"), "EUR")
    assert order.discount_total == Money(Decimal("-3.00"), "EUR")
    assert order.tax_total is None and order.gift_wrap_total is None
    assert order.items[0].tax == Money(Decimal("1.50"), "EUR")
    assert order.currency == "EUR" and order.has_prices
    assert order.is_prime and order.is_business


def test_c6_a_bad_order_becomes_unreadable_and_does_not_fail_its_page():
    bad = minimal_order(orderId="222-0000000-0000002")
    del bad["createdTime"]
    page = SearchPage.parse({"orders": [minimal_order(), bad, "not an object"]})
    assert isinstance(page.orders[0], Order)
    assert page.orders[1] == UnreadableOrder("222-0000000-0000002", bad, page.orders[1].error)
    assert "createdTime" in page.orders[1].error
    assert isinstance(page.orders[2], UnreadableOrder) and page.orders[2].order_id is None
    assert len(page.orders) == 3


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"orders": {}},
        {"order": []},
        {"orders": [], "pagination": {"nextToken": 5}},
        {"orders": [], "lastUpdatedBefore": "now"},
    ],
)
def test_c6_the_envelope_is_strict(body):
    with pytest.raises(ModelError):
        SearchPage.parse(body)


def test_get_order_envelope_is_strict_and_the_order_tolerant():
    with pytest.raises(ModelError):
        read_get_order_response({"orders": []})
    assert isinstance(read_get_order_response({"order": {"orderId": "x"}}), UnreadableOrder)


def test_page_envelope_fields():
    page = SearchPage.parse(
        {"orders": [], "pagination": {"nextToken": "abc"}, "lastUpdatedBefore": "2026-05-01T11:58:00+02:00"}
    )
    assert page.next_token == "abc"
    assert page.last_updated_before == dt.datetime(2026, 5, 1, 9, 58, tzinfo=UTC)


def _money(raw):
    return None if raw is None else Money(Decimal(raw["amount"]), raw["currencyCode"])


def assert_no_loss(order: Order, raw: dict) -> None:
    """Every part of Amazon's JSON that the model maps reads back to the same value."""
    assert order.raw == raw
    assert order.order_id == raw["orderId"]
    assert order.created_time == dt.datetime.fromisoformat(raw["createdTime"])
    assert order.last_updated_time == dt.datetime.fromisoformat(raw["lastUpdatedTime"])
    assert order.marketplace_id == raw["salesChannel"].get("marketplaceId")
    assert order.programs == tuple(raw.get("programs", ()))
    fulfillment = raw.get("fulfillment", {})
    assert order.fulfillment_status == fulfillment.get("fulfillmentStatus")
    assert order.fulfilled_by == fulfillment.get("fulfilledBy")
    buyer = raw.get("buyer")
    if buyer is not None:
        assert (order.buyer.name, order.buyer.email, order.buyer.company_name) == (
            buyer.get("buyerName"),
            buyer.get("buyerEmail"),
            buyer.get("buyerCompanyName"),
        )
    address = raw.get("recipient", {}).get("deliveryAddress")
    if address is not None:
        got = order.shipping_address
        assert (got.name, got.address_line1, got.city, got.postal_code, got.country_code) == (
            address.get("name"),
            address.get("addressLine1"),
            address.get("city"),
            address.get("postalCode"),
            address.get("countryCode"),
        )
    proceeds = raw.get("proceeds", {})
    assert order.grand_total == _money(proceeds.get("grandTotal"))
    assert [(b.type, b.subtotal) for b in order.proceeds_breakdowns] == [
        (b["type"], _money(b["subtotal"])) for b in proceeds.get("breakdowns", [])
    ]
    assert len(order.items) == len(raw["orderItems"])
    for item, raw_item in zip(order.items, raw["orderItems"]):
        product = raw_item["product"]
        assert (item.order_item_id, item.quantity_ordered) == (
            raw_item["orderItemId"],
            raw_item["quantityOrdered"],
        )
        assert (item.seller_sku, item.asin, item.title) == (
            product.get("sellerSku"),
            product.get("asin"),
            product.get("title"),
        )
        assert item.unit_price == _money(product.get("price", {}).get("unitPrice"))
        assert item.quantity_shipped == raw_item.get("fulfillment", {}).get("quantityFulfilled")
        assert item.proceeds_total == _money(raw_item.get("proceeds", {}).get("proceedsTotal"))
    assert [p.package_reference_id for p in order.packages] == [
        p["packageReferenceId"] for p in raw.get("packages", [])
    ]
    for package, raw_package in zip(order.packages, raw.get("packages", [])):
        assert package.tracking_number == raw_package.get("trackingNumber")
        assert [(i.order_item_id, i.quantity) for i in package.items] == [
            (i["orderItemId"], i["quantity"]) for i in raw_package.get("packageItems", [])
        ]


def test_amazons_static_sandbox_orders_parse_without_loss():
    raws = list(successful_static_bodies())
    assert len(raws) >= 6
    for raw in raws:
        order = read_order(copy.deepcopy(raw))
        assert isinstance(order, Order), getattr(order, "error", None)
        assert_no_loss(order, raw)
