"""Reads of the Amazon channel, for the command line, the dashboard and the API.

- ``amazon_orders_list(*, account, import_state=None, limit=None) -> QuerySet[AmazonOrder]``:
  newest purchase first, on the (account, purchase date) index.
- ``cannot_import_filter() -> Q``: the orders that cannot be imported (errors, and waiting
  orders that are out of stock): the banner's count, its list and the partial index.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from saleschannel.channel import rules
from saleschannel.channel.models import Account, AmazonOrder

LIST_FIELDS = ("amazon_order_id", "status", "channel", "purchase_date", "import_state", "store_order_number",
               "reason", "reason_code", "order_total", "currency", "buyer_name")


def amazon_orders_list(
    *, account: Account, import_state: str | None = None, limit: int | None = None,
) -> QuerySet[AmazonOrder]:
    """The account's Amazon orders, newest purchase first, with the columns a list shows."""
    orders = AmazonOrder.objects.filter(account=account).order_by("-purchase_date", "-id").only(*LIST_FIELDS)
    if import_state:
        orders = orders.filter(import_state=import_state)
    return orders[:limit] if limit is not None else orders


def cannot_import_filter() -> Q:
    """Orders that cannot be imported: errors, and waiting orders that are out of stock."""
    return Q(import_state=AmazonOrder.ImportState.ERROR) | Q(
        import_state=AmazonOrder.ImportState.WAITING, reason_code=rules.Reason.OUT_OF_STOCK.value
    )
