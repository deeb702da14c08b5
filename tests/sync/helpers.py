"""Checks shared by the sync tests: every Amazon order once, one store order each, stock that balances."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

STATUS_NAMES = {
    "PENDING": "Pending",
    "PENDING_AVAILABILITY": "PendingAvailability",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}


def sandbox_statuses(app) -> dict[str, str]:
    """Every order the sandbox holds, with its status in the source's names."""
    return {o["orderId"]: STATUS_NAMES[o["fulfillment"]["fulfillmentStatus"]] for o in app.store.all()}


def channel_statuses(account) -> dict[str, str]:
    from saleschannel.channel.models import AmazonOrder

    return dict(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", "status"))


def assert_exactly_once(account) -> None:
    """R15: one Amazon order row per id, at most one store order per Amazon order, each linked."""
    from saleschannel.channel.models import AmazonOrder
    from saleschannel.commerce.sales.models import Order

    ids = Counter(AmazonOrder.objects.filter(account=account).values_list("amazon_order_id", flat=True))
    assert not [i for i, n in ids.items() if n > 1]
    store_orders = Counter(
        Order.objects.filter(external_account=str(account.pk)).values_list("external_id", flat=True)
    )
    assert not [i for i, n in store_orders.items() if n > 1], "an Amazon order imported twice"
    imported = AmazonOrder.objects.filter(account=account, store_order__isnull=False).count()
    assert imported == sum(store_orders.values())
    states = Counter(AmazonOrder.objects.filter(account=account).values_list("import_state", flat=True))
    assert imported == states.get("imported", 0)


def reservations_balance() -> dict[str, Decimal]:
    """Held reservations per SKU: each held line belongs to an open FBM store order or a pending order."""
    from django.db.models import Sum

    from saleschannel.commerce.inventory.models import Reservation

    rows = Reservation.objects.values("sku").annotate(total=Sum("quantity"))
    return {r["sku"]: r["total"] for r in rows if r["total"]}


def expected_reservations() -> dict[str, Decimal]:
    """What open (not shipped, not canceled) FBM store orders should hold: their ordered quantity."""
    from collections import defaultdict

    from saleschannel.commerce.sales.models import OrderItem

    held: dict[str, Decimal] = defaultdict(Decimal)
    for item in OrderItem.objects.select_related("order", "product").filter(
        order__state__in=("new", "processing")
    ):
        if item.product is not None and item.product.manage_stock:
            open_qty = item.qty_ordered - item.qty_shipped - item.qty_canceled
            if open_qty:
                held[item.sku] -= open_qty
    return {k: v for k, v in held.items() if v}
