"""Writes of the inventory app: the reservation ledger and source quantities.

Every write to the ledger takes one lock over the (stock, SKU) pairs it touches, then
checks and appends inside the same transaction: on PostgreSQL a ``ReservationLock`` row
per pair, created on demand and locked in SKU order by one upsert; on SQLite the
transaction is ``BEGIN IMMEDIATE`` (settings), so writers are already serialized.
Each event claims its ``event_key`` in ``UsedEventKey`` once: a replay returns False and
changes nothing, also after ``reservations_cleanup``.

Every write that can move a SKU's salable quantity also adds one to the pair's
``ReservationLock.version`` in the same transaction (the ledger's upsert does it in the
statement that keeps the running sum; source quantities, shipments and product changes
through ``sku_versions_bump``), so a reader such as the stock push learns what moved.

- ``reservation_append(*, stock, lines, event_type, object_type, object_id, event_key, check_salable=True) -> bool``
- ``reservation_compensate(*, stock, object_type, object_id, event_type, event_key, lines=None) -> bool``
- ``reservation_transfer(*, stock, from_object, to_object, event_key, event_type="transfer") -> bool``
- ``shipment_deduct(*, stock, source, object_type, object_id, lines, event_key) -> bool``
- ``source_item_set(*, source, sku, quantity, status=None) -> SourceItem``
- ``sku_versions_bump(*, skus, source=None, stock=None)``: mark (stock, SKU) pairs as moved
- ``reservations_cleanup() -> int``
- ``inventory_init(*, website) -> Stock``
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from saleschannel.commerce.errors import InvalidInput, NotFound
from saleschannel.commerce.inventory.errors import InsufficientStock
from saleschannel.commerce.inventory.models import (
    Reservation,
    ReservationLock,
    Source,
    SourceItem,
    Stock,
    StockSourceLink,
    StockWebsite,
    UsedEventKey,
)
from saleschannel.commerce.inventory.selectors import (  # re-exported: callers may import either module
    ZERO,
    managed_lines,
    open_reservations,
    salable_quantities,
    salable_quantity,
    shortages_of,
    stock_figures,
    stock_for_store,
    stock_shortages,
)
from saleschannel.commerce.inventory.signals import salable_increased
from saleschannel.commerce.stores.models import Website
from saleschannel.commerce.validation import QTY_LIMIT, decimal_check, text_check

__all__ = [
    "inventory_init",
    "open_reservations",
    "reservation_append",
    "reservation_compensate",
    "reservation_transfer",
    "reservations_cleanup",
    "reservations_release",
    "salable_quantities",
    "salable_quantity",
    "shipment_deduct",
    "shipment_deduct_undo",
    "sku_versions_bump",
    "source_item_set",
    "stock_figures",
    "stock_for_store",
    "stock_shortages",
]

DEFAULT_SOURCE_CODE = "default"
DEFAULT_STOCK_NAME = "Default Stock"


def inventory_init(*, website: Website) -> Stock:
    """The default source and ``Default Stock``, linked to each other and to ``website``; idempotent."""
    source, _ = Source.objects.get_or_create(code=DEFAULT_SOURCE_CODE, defaults={"name": "Default Source"})
    stock, _ = Stock.objects.get_or_create(name=DEFAULT_STOCK_NAME)
    StockSourceLink.objects.get_or_create(stock=stock, source=source)
    if not StockWebsite.objects.filter(website=website).exists():
        StockWebsite.objects.create(stock=stock, website=website)
    return stock


def source_get(code: str | None) -> Source:
    """The source with ``code`` (the default source when None)."""
    code = code or DEFAULT_SOURCE_CODE
    source = Source.objects.filter(code=code).first()
    if source is None:
        raise NotFound("source", code)
    return source


def _locks_take(*, stock: Stock, skus: Iterable[str]) -> None:
    """Serialize ledger writers of these (stock, SKU) pairs until the transaction ends."""
    wanted = sorted(set(skus))
    if not wanted or not connection.features.has_select_for_update:
        return  # SQLite: BEGIN IMMEDIATE already holds the database's one write lock
    # One statement creates the missing rows and locks them all, one after another in SKU
    # order (every writer takes them in that order, so two writers never wait on each other
    # in a circle): ON CONFLICT DO UPDATE locks the existing row as an UPDATE would.
    table = connection.ops.quote_name(ReservationLock._meta.db_table)
    rows = ", ".join(["(%s, %s, 0)"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (stock_id, sku, reserved) VALUES {rows} "  # noqa: S608  # nosec B608  # the table name is Django's quoted model table; values are parameters
            f"ON CONFLICT (stock_id, sku) DO UPDATE SET reserved = {table}.reserved",
            [value for sku in wanted for value in (stock.pk, sku)],
        )


def _key_claim(event_key: str, event_type: str) -> bool:
    """Record the event key; False when it was recorded before (a replay), by this or another writer."""
    if connection.features.can_return_rows_from_bulk_insert:  # PostgreSQL, SQLite >= 3.35
        table = connection.ops.quote_name(UsedEventKey._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (event_key, event_type, created_at) VALUES (%s, %s, %s) "  # noqa: S608  # nosec B608  # the table name is Django's quoted model table; values are parameters
                "ON CONFLICT (event_key) DO NOTHING RETURNING id",
                [event_key, event_type, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            return cursor.fetchone() is not None
    try:
        with transaction.atomic():
            UsedEventKey.objects.create(event_key=event_key, event_type=event_type)
    except IntegrityError:
        return False
    return True


def _ledger_write(entries: Sequence[Reservation]) -> None:
    """Append ledger entries and add them to the running (stock, SKU) sums, in the caller's transaction."""
    if not entries:
        return
    Reservation.objects.bulk_create(entries)
    sums: dict[tuple[int, str], Decimal] = {}
    for entry in entries:
        key = (entry.stock_id, entry.sku)
        sums[key] = sums.get(key, ZERO) + entry.quantity
    table = connection.ops.quote_name(ReservationLock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (stock_id, sku, reserved, version) VALUES (%s, %s, %s, 1) "  # noqa: S608  # nosec B608  # the table name is Django's quoted model table; values are parameters
            f"ON CONFLICT (stock_id, sku) DO UPDATE SET reserved = {table}.reserved + excluded.reserved, "
            f"version = {table}.version + 1",
            [(stock_id, sku, connection.ops.adapt_decimalfield_value(total, 16, 4))
             for (stock_id, sku), total in sorted(sums.items())],
        )


def sku_versions_bump(*, skus: Iterable[str], source: Source | None = None, stock: Stock | None = None) -> None:
    """Mark (stock, SKU) pairs as moved: each pair's version grows by one, in the caller's transaction.

    The pairs are ``skus`` on every stock that ``source`` feeds and on ``stock``, or, given
    neither, on every stock (a product's change). One upsert per SKU, in SKU order, each
    over its stocks in id order: the order in which ``_locks_take`` locks, so on PostgreSQL
    this also takes (or extends) the writer's locks without a circle of waits.
    """
    wanted = sorted(set(skus))
    if not wanted:
        return
    sql, params = _bump_sql(source=source, stock=stock)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(sku, *params) for sku in wanted])


def _bump_sql(*, source: Source | None, stock: Stock | None) -> tuple[str, list[int | None]]:
    table = connection.ops.quote_name(ReservationLock._meta.db_table)
    stocks = connection.ops.quote_name(Stock._meta.db_table)
    links = connection.ops.quote_name(StockSourceLink._meta.db_table)
    params: list[int | None] = []
    if source is None and stock is None:
        where = "1 = 1"
    else:
        where = f"st.id = %s OR st.id IN (SELECT stock_id FROM {links} WHERE source_id = %s)"  # noqa: S608  # nosec B608  # a quoted model table
        params = [stock.pk if stock is not None else None, source.pk if source is not None else None]
    # SQLite needs the WHERE to read ON CONFLICT as the upsert's, not as a join's.
    sql = (
        f"INSERT INTO {table} (stock_id, sku, reserved, version) SELECT st.id, %s, 0, 1 FROM {stocks} st "  # noqa: S608  # nosec B608  # table names are Django's quoted model tables; values are parameters
        f"WHERE {where} ORDER BY st.id ON CONFLICT (stock_id, sku) DO UPDATE SET version = {table}.version + 1"
    )
    return sql, params


def _event_check(*, event_type: str, object_type: str, object_id: str, event_key: str) -> tuple[str, str, str, str]:
    return (
        text_check("event_type", event_type, max_length=64),
        text_check("object_type", object_type, max_length=32),
        text_check("object_id", str(object_id), max_length=64),
        text_check("event_key", event_key, max_length=255),
    )


def _lines_check(lines: Iterable[tuple[str, Decimal | int | str]]) -> list[tuple[str, Decimal]]:
    checked = []
    for sku, qty in lines:
        text_check("sku", sku, max_length=64)
        number = decimal_check(f"qty of {sku}", qty, limit=QTY_LIMIT)
        if number <= 0:
            raise InvalidInput(f"qty of {sku}", qty, "must be positive")
        checked.append((sku, number))
    return checked


def _notify_on_commit(stock: Stock, skus: Iterable[str]) -> None:
    skus = sorted(set(skus))
    if skus:
        transaction.on_commit(partial(salable_increased.send, sender=Stock, stock=stock, skus=skus))


def reservation_append(
    *,
    stock: Stock,
    lines: Sequence[tuple[str, Decimal]],
    event_type: str,
    object_type: str,
    object_id: str,
    event_key: str,
    check_salable: bool = True,
) -> bool:
    """Reserve (append negative entries for) the managed lines of one object, under one lock.

    Lines of one SKU are summed; SKUs with no product or whose product does not manage
    stock are skipped. With ``check_salable`` a short line raises ``InsufficientStock``
    and nothing is appended. Returns False, changing nothing, when ``event_key`` was used.
    """
    event_type, object_type, object_id, event_key = _event_check(
        event_type=event_type, object_type=object_type, object_id=object_id, event_key=event_key
    )
    checked = _lines_check(lines)
    with transaction.atomic():
        wanted = managed_lines(checked)
        _locks_take(stock=stock, skus=wanted)
        if not _key_claim(event_key, event_type):
            return False
        if check_salable:
            short = shortages_of(stock=stock, wanted=wanted)
            if short:
                raise InsufficientStock(*short[0], shortages=short)  # rolls the claim back too
        _ledger_write([
            Reservation(stock=stock, sku=sku, quantity=-qty, event_type=event_type, object_type=object_type,
                        object_id=object_id, event_key=event_key)
            for sku, qty in sorted(wanted.items())
        ])
    return True


def _release_entries(
    *, stock: Stock, object_type: str, object_id: str, event_type: str, event_key: str,
    limits: dict[str, Decimal] | None,
) -> list[Reservation]:
    """Positive entries that bring the object's held reservations (or up to ``limits``) back to zero."""
    held = open_reservations(object_type=object_type, object_id=object_id, stock=stock)
    entries = []
    for sku, total in sorted(held.items()):
        amount = -total
        if limits is not None:
            amount = min(amount, limits.get(sku, ZERO))
        if amount > 0:
            entries.append(Reservation(stock=stock, sku=sku, quantity=amount, event_type=event_type,
                                       object_type=object_type, object_id=object_id, event_key=event_key))
    return entries


def _limits(lines: Sequence[tuple[str, Decimal]] | None) -> dict[str, Decimal] | None:
    if lines is None:
        return None
    summed: dict[str, Decimal] = {}
    for sku, qty in _lines_check(lines):
        summed[sku] = summed.get(sku, ZERO) + qty
    return summed


def reservation_compensate(
    *,
    stock: Stock,
    object_type: str,
    object_id: str,
    event_type: str,
    event_key: str,
    lines: Sequence[tuple[str, Decimal]] | None = None,
) -> bool:
    """Append positive entries that release the object's held reservations: all, or up to ``lines``.

    Never releases more than is held. Returns False, changing nothing, on a replayed key.
    """
    event_type, object_type, object_id, event_key = _event_check(
        event_type=event_type, object_type=object_type, object_id=object_id, event_key=event_key
    )
    limits = _limits(lines)
    with transaction.atomic():
        held = open_reservations(object_type=object_type, object_id=object_id, stock=stock)
        _locks_take(stock=stock, skus=held)
        if not _key_claim(event_key, event_type):
            return False
        entries = _release_entries(stock=stock, object_type=object_type, object_id=object_id,
                                   event_type=event_type, event_key=event_key, limits=limits)
        _ledger_write(entries)
        _notify_on_commit(stock, (e.sku for e in entries))
    return True



def reservations_release(*, object_type: str, object_id: str, event_type: str, key_prefix: str) -> None:
    """Release the object's held reservations on every stock that holds any, in stock order.

    Each stock's release has the event key ``<key_prefix>:<stock pk>``, so a replay releases
    nothing twice. Used for a store order's cancel or close and for an Amazon order's
    pending reservation, also when the order's stock changed since it reserved.
    """
    holding = (Reservation.objects.filter(object_type=object_type, object_id=object_id)
               .values_list("stock_id", flat=True).distinct())
    for held_on in Stock.objects.filter(pk__in=list(holding)).order_by("pk"):
        reservation_compensate(stock=held_on, object_type=object_type, object_id=object_id,
                               event_type=event_type, event_key=f"{key_prefix}:{held_on.pk}")


def reservation_transfer(
    *,
    stock: Stock,
    from_object: tuple[str, str],
    to_object: tuple[str, str],
    event_key: str,
    event_type: str = "transfer",
) -> bool:
    """Move the held reservations of one (object_type, object_id) to another; salable stays the same."""
    event_type, from_type, from_id, event_key = _event_check(
        event_type=event_type, object_type=from_object[0], object_id=from_object[1], event_key=event_key
    )
    _, to_type, to_id, _ = _event_check(
        event_type=event_type, object_type=to_object[0], object_id=to_object[1], event_key=event_key
    )
    with transaction.atomic():
        held = open_reservations(object_type=from_type, object_id=from_id, stock=stock)
        _locks_take(stock=stock, skus=held)
        if not _key_claim(event_key, event_type):
            return False
        released = _release_entries(stock=stock, object_type=from_type, object_id=from_id,
                                    event_type=event_type, event_key=event_key, limits=None)
        taken = [Reservation(stock=stock, sku=e.sku, quantity=-e.quantity, event_type=event_type,
                             object_type=to_type, object_id=to_id, event_key=event_key) for e in released]
        _ledger_write(released + taken)
    return True


def shipment_deduct(
    *,
    stock: Stock,
    source: Source | str | None,
    object_type: str,
    object_id: str,
    lines: Sequence[tuple[str, Decimal]],
    event_key: str,
    event_type: str = "shipment",
) -> bool:
    """A shipment: deduct the shipped quantities from ``source`` and release as much of the object's
    reservations; one event, so a replay deducts nothing. Lines of unmanaged products move nothing.
    """
    event_type, object_type, object_id, event_key = _event_check(
        event_type=event_type, object_type=object_type, object_id=object_id, event_key=event_key
    )
    source_obj = source if isinstance(source, Source) else source_get(source)
    with transaction.atomic():
        shipped = managed_lines(_lines_check(lines))
        # The marks of the quantities about to move: the same locks as ``_locks_take``, and those
        # of the other stocks the source feeds, taken in the one order. A replay marks needlessly
        # but harmlessly (the push finds nothing changed).
        sku_versions_bump(skus=shipped, source=source_obj, stock=stock)
        if not _key_claim(event_key, event_type):
            return False
        for sku, qty in sorted(shipped.items()):
            if not SourceItem.objects.filter(source=source_obj, sku=sku).update(quantity=F("quantity") - qty):
                raise InvalidInput("sku", sku, f"has no quantity on source {source_obj.code}")
        _ledger_write(
            _release_entries(stock=stock, object_type=object_type, object_id=object_id,
                             event_type=event_type, event_key=event_key, limits=shipped)
        )
    return True


def shipment_deduct_undo(
    *,
    stock: Stock,
    source: Source,
    object_type: str,
    object_id: str,
    lines: Sequence[tuple[str, Decimal]],
    event_key: str,
    event_type: str = "shipment_corrected",
) -> bool:
    """Units a shipment took that never left (a corrected shipment): they go back to ``source``
    and are reserved for the object again, in one event; salable stays the same. A replay does
    nothing. Lines of unmanaged products move nothing.
    """
    event_type, object_type, object_id, event_key = _event_check(
        event_type=event_type, object_type=object_type, object_id=object_id, event_key=event_key
    )
    with transaction.atomic():
        returned = managed_lines(_lines_check(lines))
        sku_versions_bump(skus=returned, source=source, stock=stock)
        if not _key_claim(event_key, event_type):
            return False
        for sku, qty in sorted(returned.items()):
            if not SourceItem.objects.filter(source=source, sku=sku).update(quantity=F("quantity") + qty):
                raise InvalidInput("sku", sku, f"has no quantity on source {source.code}")
        _ledger_write([Reservation(stock=stock, sku=sku, quantity=-qty, event_type=event_type,
                                   object_type=object_type, object_id=object_id, event_key=event_key)
                       for sku, qty in sorted(returned.items())])
    return True


def source_item_set(
    *,
    source: Source | str | None,
    sku: str,
    quantity: Decimal | int | str,
    status: str | None = None,
) -> SourceItem:
    """Set the quantity (and optionally the status) of ``sku`` on ``source`` (None: the default source).

    A new item is in stock unless ``status`` says otherwise. Sends ``salable_increased`` on
    commit when the quantity rose or the item came back in stock.
    """
    sku = text_check("sku", sku, max_length=64)
    number = decimal_check("quantity", quantity, limit=QTY_LIMIT)
    if status is not None and status not in SourceItem.Status.values:
        raise InvalidInput("status", status, f"must be one of {', '.join(SourceItem.Status.values)}")
    source_obj = source if isinstance(source, Source) else source_get(source)
    with transaction.atomic():
        # The (stock, SKU) marks first, then the item: ledger writers lock in that order too.
        sku_versions_bump(skus=[sku], source=source_obj)
        item = SourceItem.objects.select_for_update().filter(source=source_obj, sku=sku).first()
        if item is None:
            item = SourceItem(source=source_obj, sku=sku, quantity=ZERO, status=SourceItem.Status.OUT_OF_STOCK)
            rose = True
            item.status = status or SourceItem.Status.IN_STOCK
        else:
            rose = number > item.quantity or (
                status == SourceItem.Status.IN_STOCK and item.status != SourceItem.Status.IN_STOCK
            )
            item.status = status or item.status
        item.quantity = number
        item.save()
        if rose:
            for stock in Stock.objects.filter(source_links__source=source_obj):
                _notify_on_commit(stock, [sku])
    return item


def reservations_cleanup() -> int:
    """Delete the entries of (stock, SKU, object) groups that sum to zero; returns the rows deleted.

    The groups' event keys stay in ``UsedEventKey``, so a replayed event still cannot
    reserve again. Each deletion is of a set of rows that sums to zero by itself, so an
    entry appended meanwhile is never lost.
    """
    near_zero = Decimal("0.00005")  # SQLite sums decimals as floats
    groups = (
        Reservation.objects.values("stock_id", "sku", "object_type", "object_id")
        .annotate(total=Sum("quantity"), n=Count("id"))
        .filter(total__gt=-near_zero, total__lt=near_zero)
        .values_list("stock_id", "sku", "object_type", "object_id")
    )
    deleted = 0
    for stock_id, sku, object_type, object_id in list(groups):
        with transaction.atomic():
            rows = list(Reservation.objects.filter(
                stock_id=stock_id, sku=sku, object_type=object_type, object_id=object_id
            ).values_list("pk", "quantity"))
            if rows and sum((q for _, q in rows), ZERO) == 0:
                deleted += Reservation.objects.filter(pk__in=[pk for pk, _ in rows]).delete()[0]
    return deleted
