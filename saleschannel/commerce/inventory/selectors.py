"""Reads of the inventory app.

- ``stock_for_store(*, store) -> Stock``
- ``salable_quantity(*, stock, sku) -> Decimal`` and ``salable_quantities(*, stock, skus)``:
  the ledger's figure (source items + reservations), for any SKU. Whether a product
  manages stock is the caller's question (``stock_shortages`` answers both at once).
- ``stock_figures(*, stock, skus) -> dict[str, StockFigure]``: quantity, reserved, salable.
- ``stock_shortages(*, stock, lines)``: the lines of managed products asking for more than is salable.
- ``open_reservations(*, object_type, object_id, stock=None) -> dict[str, Decimal]``: held (negative) sums.
- ``reserved_totals_verify() -> list[...]``: the running (stock, SKU) sums that differ from the ledger.
- ``last_moves(*, stock, skus) -> dict[str, LastMove]``: the latest ledger entry or source quantity
  change of each SKU on ``stock``, for words such as "reserved by order …" or "stock set".
- ``sku_versions(*, stock, skus) -> dict[str, int]`` and ``sku_version_subquery(*, stock, sku)``: how
  often each (stock, SKU) moved (``ReservationLock.version``; 0 when it never did).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, Max, OuterRef, Subquery, Sum

from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.errors import NotFound
from saleschannel.commerce.inventory.models import (
    Reservation,
    ReservationLock,
    Source,
    SourceItem,
    Stock,
    StockSourceLink,
)
from saleschannel.commerce.memo import remembered
from saleschannel.commerce.stores.models import Store

ZERO = Decimal(0)


@dataclass(frozen=True)
class StockFigure:
    quantity: Decimal  # enabled, in-stock source items feeding the stock
    reserved: Decimal  # sum of reservations (<= 0 while held)

    @property
    def salable(self) -> Decimal:
        return self.quantity + self.reserved


def stock_for_store(*, store: Store) -> Stock:
    """The stock that the store's website sells from (read once inside ``reads_remembered()``)."""
    stock = remembered("stock_of_website", store.website_id,
                       lambda: Stock.objects.filter(website_links__website_id=store.website_id).first())
    if stock is None:
        raise NotFound("stock", f"website of store {store.code}")
    return stock


def reserved_totals_verify() -> list[tuple[int, str, Decimal, Decimal]]:
    """(stock id, SKU, running sum, ledger sum) of every pair whose running sum is not the ledger's.

    Empty when the books agree; the reliability and concurrency tests ask it.
    """
    ledger = {(stock_id, sku): _exact(total) for stock_id, sku, total in
              Reservation.objects.values("stock_id", "sku").annotate(total=Sum("quantity"))
              .values_list("stock_id", "sku", "total")}
    running = {(stock_id, sku): _exact(total) for stock_id, sku, total in
               ReservationLock.objects.values_list("stock_id", "sku", "reserved")}
    wrong = []
    for key in sorted(set(ledger) | set(running)):
        if ledger.get(key, ZERO) != running.get(key, ZERO):
            wrong.append((key[0], key[1], running.get(key, ZERO), ledger.get(key, ZERO)))
    return wrong


def stock_figures(*, stock: Stock, skus: Iterable[str]) -> dict[str, StockFigure]:
    """Quantity, reserved and salable of each SKU on ``stock``, in one statement.

    Quantity: the enabled, in-stock source items on the sources feeding ``stock``; reserved:
    the running sum the ledger's writers keep per (stock, SKU), one row however long the
    ledger is. Every import asks this, so it is written in SQL rather than composed by the ORM.
    """
    wanted = sorted(set(skus))
    quantities = dict.fromkeys(wanted, ZERO)
    reserved = dict.fromkeys(wanted, ZERO)
    if wanted:
        marks = ", ".join(["%s"] * len(wanted))
        with connection.cursor() as cursor:
            cursor.execute(_figures_sql().format(marks=marks),
                           [stock.pk, True, SourceItem.Status.IN_STOCK.value, *wanted, stock.pk, *wanted])
            for kind, sku, total in cursor.fetchall():
                (quantities if kind == "q" else reserved)[sku] += _exact(total)
    return {sku: StockFigure(quantity=quantities[sku], reserved=reserved[sku]) for sku in wanted}


@functools.cache
def _figures_sql() -> str:
    table = {m.__name__: connection.ops.quote_name(m._meta.db_table)
             for m in (SourceItem, Source, StockSourceLink, ReservationLock)}
    return (
        f"SELECT 'q', si.sku, SUM(si.quantity) FROM {table['SourceItem']} si "  # noqa: S608  # nosec B608  # table names are Django's quoted model tables; values are parameters
        f"JOIN {table['Source']} src ON src.id = si.source_id "
        f"JOIN {table['StockSourceLink']} link ON link.source_id = si.source_id "
        "WHERE link.stock_id = %s AND src.enabled = %s AND si.status = %s AND si.sku IN ({marks}) GROUP BY si.sku "
        f"UNION ALL SELECT 'r', sku, reserved FROM {table['ReservationLock']} WHERE stock_id = %s AND sku IN ({{marks}})"
    )


@dataclass(frozen=True)
class LastMove:
    """The latest change of a SKU on a stock: a ledger entry (``event_type``, object, signed
    quantity) or a source quantity set (``event_type`` "source_set")."""

    at: dt.datetime
    event_type: str
    object_type: str = ""
    object_id: str = ""
    quantity: Decimal = ZERO


def last_moves(*, stock: Stock, skus: Iterable[str]) -> dict[str, LastMove]:
    """The latest ledger entry or source item change of each SKU on ``stock``, in three queries."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    latest = (Reservation.objects.filter(stock=stock, sku__in=wanted).values("sku").annotate(last=Max("pk"))
              .values_list("last", flat=True))
    moves = {r.sku: LastMove(r.created_at, r.event_type, r.object_type, r.object_id, r.quantity)
             for r in Reservation.objects.filter(pk__in=list(latest))}
    sets = (SourceItem.objects.filter(sku__in=wanted, source__stock_links__stock=stock).values("sku")
            .annotate(at=Max("updated_at")).values_list("sku", "at"))
    for sku, at in sets:
        if sku not in moves or at > moves[sku].at:
            moves[sku] = LastMove(at, "source_set")
    return moves


def sku_versions(*, stock: Stock, skus: Iterable[str]) -> dict[str, int]:
    """The version of each (``stock``, SKU) pair: it grows with every change of what may be sold."""
    wanted = sorted(set(skus))
    found = dict(ReservationLock.objects.filter(stock=stock, sku__in=wanted).values_list("sku", "version"))
    return {sku: found.get(sku, 0) for sku in wanted}


def sku_version_subquery(*, stock: Stock, sku: str | F | OuterRef) -> Subquery:
    """The pair's version as a subquery, for a caller's rows that hold a SKU (``OuterRef("sku")``);
    NULL where the pair never moved."""
    return Subquery(ReservationLock.objects.filter(stock=stock, sku=sku).values("version")[:1])


def salable_quantities(*, stock: Stock, skus: Iterable[str]) -> dict[str, Decimal]:
    """Salable quantity of each SKU on ``stock`` (source items + reservations), in bulk."""
    return {sku: figure.salable for sku, figure in stock_figures(stock=stock, skus=skus).items()}


def salable_quantity(*, stock: Stock, sku: str) -> Decimal:
    """Salable quantity of one SKU on ``stock``."""
    return salable_quantities(stock=stock, skus=[sku])[sku]


def managed_lines(lines: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """The lines whose product manages stock, summed per SKU (no product: not managed)."""
    summed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for sku, qty in lines:
        summed[sku] += Decimal(qty)
    products = products_by_sku(summed)
    return {sku: qty for sku, qty in summed.items() if sku in products and products[sku].manage_stock}


def stock_shortages(
    *, stock: Stock, lines: Sequence[tuple[str, Decimal]], available: Mapping[str, Decimal] | None = None
) -> list[tuple[str, Decimal, Decimal]]:
    """(sku, salable, requested) for each managed SKU asking for more than is salable.

    ``available`` adds quantities that count as salable for this caller (an order's own
    pending reservation, R8).
    """
    return shortages_of(stock=stock, wanted=managed_lines(lines), available=available)


def shortages_of(
    *, stock: Stock, wanted: Mapping[str, Decimal], available: Mapping[str, Decimal] | None = None
) -> list[tuple[str, Decimal, Decimal]]:
    """``stock_shortages`` of lines already summed per managed SKU (``managed_lines``)."""
    salable = salable_quantities(stock=stock, skus=wanted)
    extra = available or {}
    short = []
    for sku in sorted(wanted):
        have = salable[sku] + extra.get(sku, ZERO)
        if have < wanted[sku]:
            short.append((sku, have, wanted[sku]))
    return short


def open_reservations(*, object_type: str, object_id: str, stock: Stock | None = None) -> dict[str, Decimal]:
    """The held (non-zero) reservation sums of one object, by SKU; on every stock unless one is given."""
    rows = Reservation.objects.filter(object_type=object_type, object_id=str(object_id))
    if stock is not None:
        rows = rows.filter(stock=stock)
    sums = rows.values("sku").annotate(total=Sum("quantity")).values_list("sku", "total")
    result = {sku: _exact(total) for sku, total in sums}
    return {sku: total for sku, total in result.items() if total != 0}


def _exact(total: Decimal | None) -> Decimal:
    # SQLite sums decimals as floats: round back to the column's four places.
    return ZERO if total is None else Decimal(total).quantize(Decimal("0.0001"))
