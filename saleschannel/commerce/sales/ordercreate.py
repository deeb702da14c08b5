"""The body of ``order_create``: checks every input, then writes the order in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction

from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.customers.services import address_parts, email_check
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.sales.errors import ExternalRefTaken, OrderNumberTaken
from saleschannel.commerce.sales.models import Order, OrderAddress, OrderItem, OrderStatus, OrderStatusHistory
from saleschannel.commerce.sales.types import AddressData, ExternalRef, OrderLine, OrderTotals
from saleschannel.commerce.stores.models import Store
from saleschannel.commerce.validation import QTY_LIMIT, decimal_check, text_check

TOTAL_FIELDS = ("subtotal", "shipping_amount", "tax_amount", "discount_amount", "gift_wrap_amount", "cod_fee_amount",
                "delivery_tip_amount", "other_amount", "grand_total")
SIGNED_TOTALS = frozenset({"discount_amount", "other_amount"})


def _line_item(line: OrderLine, index: int) -> OrderItem:
    where = f"line {index + 1}"
    qty = decimal_check(f"{where} qty", line.qty, limit=QTY_LIMIT)
    if qty <= 0:
        raise InvalidInput(f"{where} qty", line.qty, "must be positive")
    price = decimal_check(f"{where} price", line.price)
    row_total = qty * price if line.row_total is None else line.row_total
    return OrderItem(
        sku=text_check(f"{where} sku", line.sku, max_length=64),
        name=text_check(f"{where} name", line.name, max_length=500, required=False) or line.sku,
        qty_ordered=qty, price=price,
        tax_amount=decimal_check(f"{where} tax_amount", line.tax_amount),
        discount_amount=decimal_check(f"{where} discount_amount", line.discount_amount, minimum=None),
        row_total=decimal_check(f"{where} row_total", row_total, places=8).quantize(Decimal("0.0001")),
        external_line_id=text_check(f"{where} external_line_id", line.external_line_id, max_length=64,
                                    required=False),
    )


def _address(kind: str, data: AddressData | None) -> OrderAddress | None:
    if data is None:
        return None
    return OrderAddress(address_type=kind, **address_parts(kind, data))


def _totals(totals: OrderTotals) -> dict[str, Decimal]:
    return {
        name: decimal_check(name, getattr(totals, name), minimum=None if name in SIGNED_TOTALS else Decimal(0))
        for name in TOTAL_FIELDS
    }


def _external(external: ExternalRef | None) -> dict[str, str | None]:
    if external is None:
        return {"external_channel": None, "external_account": None, "external_id": None}
    return {
        "external_channel": text_check("external channel", external.channel, max_length=32),
        "external_account": text_check("external account", str(external.account), max_length=64),
        "external_id": text_check("external id", external.external_id, max_length=64),
    }


def _clash(store: Store, number: str, ext: dict[str, str | None]) -> Exception | None:
    if Order.objects.filter(store=store, number=number).exists():
        return OrderNumberTaken(store.code, number)
    if ext["external_id"] is not None and Order.objects.filter(**ext).exists():
        return ExternalRefTaken(ext["external_channel"] or "", ext["external_account"] or "", ext["external_id"])
    return None


def create(
    *, store: Store, number: str, lines: Sequence[OrderLine], status: OrderStatus, customer: Customer | None,
    email: str, firstname: str, lastname: str, billing: AddressData | None, shipping: AddressData | None,
    currency: str, totals: OrderTotals, payment_method: str, is_invoiced: bool, external: ExternalRef | None,
    comment: str,
) -> Order:
    number = text_check("number", number, max_length=64)
    if not lines:
        raise InvalidInput("lines", 0, "an order needs at least one line")
    items = [_line_item(line, i) for i, line in enumerate(lines)]
    addresses = [a for a in (_address("billing", billing), _address("shipping", shipping)) if a is not None]
    if customer is not None and (not isinstance(customer, Customer) or customer.website_id != store.website_id):
        raise InvalidInput("customer", customer, f"is not a customer of website {store.website_id}")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise InvalidInput("currency", currency, "must be a three-letter ISO 4217 code")
    ext = _external(external)
    order = Order(
        store=store, number=number, state=status.state, status=status, customer=customer,
        customer_is_guest=customer is None, customer_email=email_check(email),
        customer_firstname=text_check("firstname", firstname, max_length=255, required=False),
        customer_lastname=text_check("lastname", lastname, max_length=255, required=False),
        currency=currency, payment_method=text_check("payment_method", payment_method, max_length=64),
        is_invoiced=is_invoiced, **_totals(totals), **ext,
    )
    comment = text_check("comment", comment, max_length=10_000, required=False)
    products = products_by_sku(item.sku for item in items)
    try:
        with transaction.atomic():  # the unique constraints catch a clash; the savepoint undoes it
            order.save()
            for item in items:
                item.order, item.product = order, products.get(item.sku)
            OrderItem.objects.bulk_create(items)
            for address in addresses:
                address.order = order
            OrderAddress.objects.bulk_create(addresses)
            OrderStatusHistory.objects.create(order=order, state=order.state, status=status.code, comment=comment)
    except IntegrityError:
        clash = _clash(store, number, ext)
        if clash is None:
            raise
        raise clash from None
    return order
