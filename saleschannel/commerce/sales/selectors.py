"""Reads of the sales app."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from saleschannel.commerce.sales.models import Order, OrderStatus


def orders_list(*, store_code: str | None = None) -> QuerySet[Order]:
    """Orders with their store, status and items, oldest first; one store's when a code is given."""
    orders = Order.objects.select_related("store", "status").prefetch_related("items").order_by("pk")
    if store_code is not None:
        orders = orders.filter(store__code=store_code)
    return orders


def order_statuses(*, states: list[str] | None = None) -> QuerySet[OrderStatus]:
    """Order statuses, optionally of some states only (e.g. ``new`` and ``processing``, C19)."""
    statuses = OrderStatus.objects.order_by("state", "code")
    return statuses.filter(state__in=states) if states else statuses


# The parts of an order's totals, in the order they are shown: (key, field, label).
TOTAL_PARTS = (
    ("subtotal", "subtotal", "Subtotal"),
    ("shipping", "shipping_amount", "Shipping"),
    ("gift_wrap", "gift_wrap_amount", "Gift wrap"),
    ("cod_fee", "cod_fee_amount", "Cash on delivery fee"),
    ("tax", "tax_amount", "Tax"),
    ("discount", "discount_amount", "Discount"),
    ("delivery_tip", "delivery_tip_amount", "Delivery tip"),
    ("other", "other_amount", "Other"),
)


def order_totals(order: Order) -> dict[str, str]:
    """The order's totals as the CLI and the REST API show them: every part and the grand total,
    decimals as strings with two places at least (``{"subtotal": "20.00", ...}``)."""
    totals = {key: _money_text(getattr(order, field)) for key, field, _ in TOTAL_PARTS}
    totals["grand_total"] = _money_text(order.grand_total)
    return totals


def order_totals_difference(order: Order) -> Decimal:
    """By how much the grand total differs from the sum of its parts (0 when they add up)."""
    return Decimal(order.grand_total) - sum((Decimal(getattr(order, field)) for _, field, _ in TOTAL_PARTS),
                                            Decimal(0))


def _money_text(value: Decimal) -> str:
    value = Decimal(value)
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"
