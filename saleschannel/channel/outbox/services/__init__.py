"""The outbox of messages to Amazon, and the life of an imported FBM order after import.

- ``amazon_order_ship(*, order, carrier_code, tracking_number, carrier_name="", lines=None, source=None,
  shipped_at=None, shipping_method="", now=None) -> tuple[Shipment, OutboxMessage | None]``
- ``outbox_send_due(*, now=None, limit=50, client_factory=None, clock=None) -> int``: the worker's turn.
- ``outbox_message_send(*, message, client=None, now=None, clock=None) -> OutboxMessage``: send one now.
- ``outbox_message_resend(*, message, changes, now=None) -> OutboxMessage``: correct a refused one.

Amazon's packages of an imported order are recorded by the import
(``channel.services.imports.reconcile``).
"""

from saleschannel.channel.outbox.services.sender import (
    outbox_message_resend,
    outbox_message_send,
    outbox_send_due,
    retry_delay,
)
from saleschannel.channel.outbox.services.ship import amazon_order_of, amazon_order_ship

__all__ = [
    "amazon_order_of",
    "amazon_order_ship",
    "outbox_message_resend",
    "outbox_message_send",
    "outbox_send_due",
    "retry_delay",
]
