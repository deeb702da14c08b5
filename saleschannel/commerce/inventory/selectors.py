"""Reads of the inventory app.

- ``stock_for_store(*, store) -> Stock``
- ``salable_quantity(*, stock, sku) -> Decimal`` and ``salable_quantities(*, stock, skus)``:
  the ledger's figure (source items + reservations), for any SKU. Whether a product
  manages stock is the caller's question (``stock_shortages`` answers both at once).
- ``stock_figures(*, stock, skus) -> dict[str, StockFigure]``: quantity, reserved, salable.
- ``stock_shortages(*, stock, lines)``: the lines of managed products asking for more than is salable.
- ``open_reservations(*, object_type, object_id, stock=None) -> dict[str, Decimal]``: held (negative) sums.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.errors import NotFound
from saleschannel.commerce.inventory.models import Reservation, SourceItem, Stock
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
    """The stock that the store's website sells from."""
    stock = Stock.objects.filter(website_links__website_id=store.website_id).first()
    if stock is None:
        raise NotFound("stock", f"website of store {store.code}")
    return stock


def source_quantities(*, stock: Stock, skus: Iterable[str]) -> dict[str, Decimal]:
    """Quantities of enabled, in-stock source items on the sources feeding ``stock``."""
    wanted = set(skus)
    totals = dict.fromkeys(wanted, ZERO)
    rows = (
        SourceItem.objects.filter(
            sku__in=wanted, status=SourceItem.Status.IN_STOCK, source__enabled=True,
            source__stock_links__stock=stock,
        )
        .values("sku").annotate(total=Sum("quantity")).values_list("sku", "total")
    )
    for sku, total in rows:
        totals[sku] += _exact(total)
    return totals


def reserved_quantities(*, stock: Stock, skus: Iterable[str]) -> dict[str, Decimal]:
    """The sum of the reservations of each SKU on ``stock`` (negative while held)."""
    wanted = set(skus)
    totals = dict.fromkeys(wanted, ZERO)
    rows = (
        Reservation.objects.filter(stock=stock, sku__in=wanted)
        .values("sku").annotate(total=Sum("quantity")).values_list("sku", "total")
    )
    for sku, total in rows:
        totals[sku] += _exact(total)
    return totals


def stock_figures(*, stock: Stock, skus: Iterable[str]) -> dict[str, StockFigure]:
    """Quantity, reserved and salable of each SKU on ``stock``, in two queries."""
    wanted = set(skus)
    quantities = source_quantities(stock=stock, skus=wanted)
    reserved = reserved_quantities(stock=stock, skus=wanted)
    return {sku: StockFigure(quantity=quantities[sku], reserved=reserved[sku]) for sku in wanted}


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
