"""Writes of the sales app.

- ``order_statuses_init() -> None``: Magento's statuses, one default per state (``pending`` for ``new``).
- ``order_status_create(*, code, label, state) -> OrderStatus``: a custom status.
- ``order_number_next(*, store) -> str``: ``000000001``, … from the store's sequence row.
- ``order_create(*, store, number, lines, status=None, customer=None, email, firstname, lastname,
  billing=None, shipping=None, currency, totals, payment_method="amazon", is_invoiced=False,
  external=None, comment="") -> Order``
- ``order_transition(*, order, state, status=None, comment="") -> Order``: the one place for state changes.
- ``order_cancel(*, order, comment="") -> Order``
- ``order_reserve(*, order, check_salable=True) -> bool``: reserves the order's open lines.

Inputs are the dataclasses of ``saleschannel.commerce.sales.types`` (re-exported here).
Reservations of a store order use object_type ``"order"`` and object_id ``str(order.pk)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet

from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.customers.services import MASKED_EMAIL_DOMAIN, MASKED_NAME, masked_email
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.inventory.services import (
    reservation_append,
    reservations_release,
    stock_for_store,
)
from saleschannel.commerce.memo import remembered
from saleschannel.commerce.sales import ordercreate
from saleschannel.commerce.sales.errors import IllegalTransition, StatusCodeTaken
from saleschannel.commerce.sales.models import (
    FINAL_STATES,
    Order,
    OrderAddress,
    OrderSequence,
    OrderState,
    OrderStatus,
    OrderStatusHistory,
)
from saleschannel.commerce.sales.types import AddressData, ExternalRef, OrderLine, OrderTotals
from saleschannel.commerce.stores.models import Store
from saleschannel.commerce.validation import code_check, text_check

__all__ = [
    "ORDER_OBJECT_TYPE",
    "TRANSITIONS",
    "AddressData",
    "ExternalRef",
    "OrderLine",
    "OrderTotals",
    "order_cancel",
    "order_create",
    "order_number_next",
    "order_reserve",
    "order_status_create",
    "order_statuses_init",
    "order_transition",
]

ORDER_OBJECT_TYPE = "order"
S = OrderState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.PROCESSING, S.COMPLETE, S.CLOSED, S.CANCELED, S.HOLDED}),
    S.PROCESSING: frozenset({S.COMPLETE, S.CLOSED, S.CANCELED, S.HOLDED}),
    S.HOLDED: frozenset({S.NEW, S.PROCESSING, S.CANCELED}),
    S.COMPLETE: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELED: frozenset(),
}
# States in which nothing more ships: entering one releases what the order still holds.
RELEASING_STATES = frozenset({S.CANCELED, S.CLOSED})

DEFAULT_STATUSES = [
    ("pending", "Pending", S.NEW),
    ("processing", "Processing", S.PROCESSING),
    ("complete", "Complete", S.COMPLETE),
    ("closed", "Closed", S.CLOSED),
    ("canceled", "Canceled", S.CANCELED),
    ("holded", "On Hold", S.HOLDED),
]


@transaction.atomic
def order_statuses_init() -> None:
    """Magento's default status of each state; running it again changes nothing."""
    for code, label, state in DEFAULT_STATUSES:
        has_default = OrderStatus.objects.filter(state=state, is_default=True).exists()
        OrderStatus.objects.get_or_create(code=code, defaults={"label": label, "state": state,
                                                                "is_default": not has_default})


def order_status_create(*, code: str, label: str, state: str) -> OrderStatus:
    """A custom order status assigned to ``state`` (never the default of it)."""
    code = code_check("code", code)
    label = text_check("label", label, max_length=128)
    if state not in S.values:
        raise InvalidInput("state", state, f"must be one of {', '.join(S.values)}")
    if OrderStatus.objects.filter(code=code).exists():
        raise StatusCodeTaken(code)
    try:
        with transaction.atomic():
            return OrderStatus.objects.create(code=code, label=label, state=state, is_default=False)
    except IntegrityError:
        raise StatusCodeTaken(code) from None


def status_resolve(*, state: str | None, status: OrderStatus | str | None) -> OrderStatus:
    """The status to set: the given one (which must belong to ``state`` when one is given), else
    the default status of ``state`` (``new`` when neither is given)."""
    if status is None:
        wanted = state or S.NEW
        found = remembered("default_status", wanted,
                           lambda: OrderStatus.objects.filter(state=wanted, is_default=True).first())
        if found is None:
            raise InvalidInput("state", wanted, "has no default status (run saleschannel init)")
        return found
    found = status if isinstance(status, OrderStatus) else remembered(
        "status", status, lambda: OrderStatus.objects.filter(code=status).first())
    if found is None:
        raise InvalidInput("status", status, "is not an order status")
    if state is not None and found.state != state:
        raise InvalidInput("status", found.code, f"is assigned to state {found.state}, not {state}")
    return found


def order_number_next(*, store: Store) -> str:
    """The store's next order number (``000000001``, …), skipping numbers already taken.

    The sequence row is locked until the caller's transaction ends, so two writers never
    get one number; a rolled-back order gives its number back.
    """
    with transaction.atomic():
        value = _sequence_step(store)
        if value is None:  # the store's first number: make its row, racing writers make one
            OrderSequence.objects.bulk_create([OrderSequence(store=store)], ignore_conflicts=True)
            value = _sequence_step(store)
            assert value is not None
        while Order.objects.filter(store=store, number=f"{value:09d}").exists():
            value = _sequence_step(store)
            assert value is not None
    return f"{value:09d}"


def _sequence_step(store: Store) -> int | None:
    """Add one to the store's sequence and return it; the row stays locked until the transaction ends."""
    table = connection.ops.quote_name(OrderSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 WHERE store_id = %s RETURNING last_value",  # noqa: S608  # nosec B608  # the table name is Django's quoted model table; the value is a parameter
            [store.pk],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def order_create(
    *,
    store: Store,
    number: str,
    lines: Sequence[OrderLine],
    status: OrderStatus | str | None = None,
    customer: Customer | None = None,
    email: str,
    firstname: str,
    lastname: str,
    billing: AddressData | None = None,
    shipping: AddressData | None = None,
    currency: str,
    totals: OrderTotals,
    payment_method: str = "amazon",
    is_invoiced: bool = False,
    external: ExternalRef | None = None,
    comment: str = "",
) -> Order:
    """Create a store order with its items, addresses and first history entry, all or nothing.

    ``status`` None gives the default status of ``new``; the order's state is the state
    its status is assigned to. ``customer`` None makes a guest order. Raises
    ``OrderNumberTaken``, ``ExternalRefTaken`` or ``InvalidInput``, leaving nothing behind.
    """
    return ordercreate.create(
        store=store, number=number, lines=lines, status=status_resolve(state=None, status=status),
        customer=customer, email=email, firstname=firstname, lastname=lastname, billing=billing,
        shipping=shipping, currency=currency, totals=totals, payment_method=payment_method,
        is_invoiced=is_invoiced, external=external, comment=comment,
    )


def order_transition(*, order: Order, state: str, status: OrderStatus | str | None = None, comment: str = "") -> Order:
    """Move ``order`` to ``state`` (and ``status``, by default the state's default status).

    Refuses an illegal move with ``IllegalTransition`` naming both states. Entering
    ``canceled`` cancels what has not shipped; entering ``canceled`` or ``closed`` releases
    the reservations the order still holds. Returns the order as saved.
    """
    if state not in S.values:
        raise InvalidInput("state", state, f"must be one of {', '.join(S.values)}")
    comment = text_check("comment", comment, max_length=10_000, required=False)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if state != locked.state and state not in TRANSITIONS[locked.state]:
            raise IllegalTransition(locked.state, state)
        new_status = status_resolve(state=state, status=status)
        if state == S.CANCELED and locked.state != S.CANCELED:
            locked.items.update(qty_canceled=F("qty_ordered") - F("qty_shipped"))
        if state in RELEASING_STATES:
            _reservations_release(locked, reason=state)
        locked.state, locked.status = state, new_status
        locked.save(update_fields=["state", "status", "updated_at"])
        OrderStatusHistory.objects.create(order=locked, state=state, status=new_status.code, comment=comment)
    order.state, order.status, order.updated_at = locked.state, locked.status, locked.updated_at
    return locked


def order_cancel(*, order: Order, comment: str = "") -> Order:
    """Cancel the order: its unshipped quantities are canceled and its open reservations compensated."""
    return order_transition(order=order, state=S.CANCELED, comment=comment)


def order_reserve(*, order: Order, check_salable: bool = True) -> bool:
    """Reserve the order's open quantities (ordered - shipped - canceled) of managed products on
    its store's stock; event key ``order:<pk>:place``, so a second call reserves nothing."""

    lines = [(i.sku, i.qty_ordered - i.qty_shipped - i.qty_canceled) for i in order.items.all()]
    return reservation_append(
        stock=stock_for_store(store=order.store), lines=[(s, q) for s, q in lines if q > 0],
        event_type="order_placed", object_type=ORDER_OBJECT_TYPE, object_id=str(order.pk),
        event_key=f"order:{order.pk}:place", check_salable=check_salable,
    )


def _reservations_release(order: Order, *, reason: str) -> None:
    reservations_release(object_type=ORDER_OBJECT_TYPE, object_id=str(order.pk), event_type=f"order_{reason}",
                         key_prefix=f"order:{order.pk}:{reason}:stock")


# --- buyer data past its retention (C27: the channel's retention policy decides when) ----


def orders_to_mask(*, cutoff: dt.datetime, guests_only: bool) -> QuerySet[Order]:
    """Orders finished before ``cutoff`` whose buyer data is not masked yet (guests' only, if asked)."""
    orders = Order.objects.filter(state__in=FINAL_STATES, updated_at__lte=cutoff).exclude(
        customer_email__endswith=f"@{MASKED_EMAIL_DOMAIN}"
    )
    return orders.filter(customer_is_guest=True) if guests_only else orders


def order_buyer_data_mask(*, pk: int, cutoff: dt.datetime, guests_only: bool) -> bool:
    """Mask the order's buyer name, email and addresses if still due; False when it no longer is.

    What the books need stays: numbers, dates, amounts, lines, city, region, postcode, country."""
    with transaction.atomic():
        order = orders_to_mask(cutoff=cutoff, guests_only=guests_only).select_for_update().filter(pk=pk).first()
        if order is None:
            return False
        # update(), not save(): the order's updated_at is the books' time, not ours.
        Order.objects.filter(pk=pk).update(
            customer_email=masked_email("order", pk), customer_firstname=MASKED_NAME, customer_lastname=""
        )
        OrderAddress.objects.filter(order_id=pk).update(
            firstname=MASKED_NAME, lastname="", company="", street="", telephone=""
        )
    return True
