"""The order import rules, PURE: no database, no Django, no clock.

``order_decide(order=..., settings=..., account=..., stock=..., state=...)`` returns a
``Decision``: create the store order now, wait, or never; whether to reserve; what to
do with a pending reservation (R12); and the reason in the merchant's words.

The creation matrix of R7 is ``CREATION_MATRIX`` below, written line by line as the
source's table "Order Creation with Multi Source Inventory" (``seed/order-settings.md``).
Rules are cited by their numbers in ``spec/order-import.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from saleschannel.channel.currencies import currency_known


class Channel(StrEnum):
    FBA = "FBA"  # fulfilledBy AMAZON (v0 AFN)
    FBM = "FBM"  # fulfilledBy MERCHANT (v0 MFN)


class Status(StrEnum):
    """Amazon order statuses in the source's (v0) names."""

    PENDING = "Pending"
    PENDING_AVAILABILITY = "PendingAvailability"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"
    UNFULFILLABLE = "Unfulfillable"
    # The sales channel's own status for an order whose JSON cannot be read (R7).
    ERROR = "Error"


# Amazon Orders API 2026-01-01 ``fulfillment.fulfillmentStatus`` -> the source's name.
STATUS_FROM_2026: Mapping[str, Status] = {
    "PENDING": Status.PENDING,
    "PENDING_AVAILABILITY": Status.PENDING_AVAILABILITY,
    "UNSHIPPED": Status.UNSHIPPED,
    "PARTIALLY_SHIPPED": Status.PARTIALLY_SHIPPED,
    "SHIPPED": Status.SHIPPED,
    "CANCELLED": Status.CANCELED,
    "UNFULFILLABLE": Status.UNFULFILLABLE,
}

# ``fulfillment.fulfilledBy`` -> channel.
CHANNEL_FROM_2026: Mapping[str, Channel] = {"AMAZON": Channel.FBA, "MERCHANT": Channel.FBM}


class Inventory(StrEnum):
    """The source's "Magento Inventory Status" of an item (R8)."""

    IN_STOCK = "In-stock"
    OUT_OF_STOCK = "Out-of-stock"
    DO_NOT_MANAGE = "Do Not Manage"


IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE = Inventory.IN_STOCK, Inventory.OUT_OF_STOCK, Inventory.DO_NOT_MANAGE
FBA, FBM = Channel.FBA, Channel.FBM
YES, NO = True, False


@dataclass(frozen=True)
class MatrixRow:
    channel: Channel
    inventory: tuple[Inventory, ...]
    status: Status
    create_order: bool
    inventory_reserved: bool


def _row(channel: Channel, inventory: tuple[Inventory, ...], status: Status, create: bool, reserved: bool) -> MatrixRow:
    return MatrixRow(channel, inventory, status, create, reserved)


# R7: the source's table "Order Creation with Multi Source Inventory", row for row (the behaviour
# under Pending Orders "no_reserve"; "reserve" adds the pending reservation of R12).
# | Fulfillment Channel | Inventory Status | Amazon Order Status | Create Order | Inventory Reserved |
CREATION_MATRIX: tuple[MatrixRow, ...] = (
    _row(FBA, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.PENDING, NO, NO),
    _row(FBA, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.PENDING_AVAILABILITY, NO, NO),
    _row(FBA, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.CANCELED, NO, NO),
    _row(FBA, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.ERROR, NO, NO),
    _row(FBA, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.UNSHIPPED, NO, NO),
    _row(FBA, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.PARTIALLY_SHIPPED, NO, NO),
    _row(FBA, (IN_STOCK, DO_NOT_MANAGE), Status.SHIPPED, YES, NO),
    _row(FBA, (OUT_OF_STOCK,), Status.SHIPPED, NO, NO),
    _row(FBM, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.PENDING, NO, NO),
    _row(FBM, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.PENDING_AVAILABILITY, NO, NO),
    _row(FBM, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.CANCELED, NO, NO),
    _row(FBM, (IN_STOCK, OUT_OF_STOCK, DO_NOT_MANAGE), Status.ERROR, NO, NO),
    _row(FBM, (IN_STOCK, DO_NOT_MANAGE), Status.UNSHIPPED, YES, YES),
    _row(FBM, (OUT_OF_STOCK,), Status.UNSHIPPED, NO, NO),
    _row(FBM, (IN_STOCK, DO_NOT_MANAGE), Status.PARTIALLY_SHIPPED, YES, YES),
    _row(FBM, (OUT_OF_STOCK,), Status.PARTIALLY_SHIPPED, NO, NO),
    _row(FBM, (IN_STOCK, DO_NOT_MANAGE), Status.SHIPPED, YES, YES),
    _row(FBM, (OUT_OF_STOCK,), Status.SHIPPED, NO, NO),
)


def matrix_row(channel: Channel, status: Status, inventory: Inventory) -> MatrixRow | None:
    """The row of the creation matrix for this channel, Amazon status and inventory; None when absent."""
    for row in CREATION_MATRIX:
        if row.channel == channel and row.status == status and inventory in row.inventory:
            return row
    return None


# Statuses from which a store order can still be created (R5, R9); Pending ones for R12.
CREATING_STATUSES = frozenset({Status.UNSHIPPED, Status.PARTIALLY_SHIPPED, Status.SHIPPED})
PENDING_STATUSES = frozenset({Status.PENDING, Status.PENDING_AVAILABILITY})
ELIGIBLE_STATUSES = CREATING_STATUSES | PENDING_STATUSES
NEVER_STATUSES = frozenset({Status.CANCELED, Status.UNFULFILLABLE})
# Statuses after which Amazon changes nothing the channel acts on (S2 a rechecks only the others).
FINAL_STATUSES = frozenset({Status.SHIPPED, Status.CANCELED, Status.UNFULFILLABLE})

PLACEHOLDER_BUYER_NAME = "Amazon Customer"
PLACEHOLDER_EMAIL_DOMAIN = "buyer.amazon.invalid"


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Line:
    """One line of an Amazon order as the rules need it."""

    sku: str
    quantity: int
    has_price: bool = True


@dataclass(frozen=True)
class OrderView:
    """What the rules read of an Amazon order's latest snapshot."""

    amazon_order_id: str
    status: str  # the source's name when known, else as Amazon sent it
    channel: Channel | None
    purchased_at: dt.datetime | None
    last_updated_at: dt.datetime | None
    lines: tuple[Line, ...] = ()
    has_order_total: bool = True
    buyer_email: str = ""
    buyer_name: str = ""
    readable: bool = True
    unreadable_reason: str = ""
    # Every currency code of the snapshot's money (grand total, breakdowns, unit prices).
    currencies: frozenset[str] = frozenset({"USD"})


@dataclass(frozen=True)
class SettingsView:
    import_enabled: bool
    reserve_pending: bool  # Pending Orders "reserve"
    new_customer_account: bool  # Customer Creation "new_account"


@dataclass(frozen=True)
class AccountView:
    integrated_at: dt.datetime
    # The periods in which import was enabled: (start, end) with end None while it lasts (R5).
    import_periods: tuple[tuple[dt.datetime, dt.datetime | None], ...] = ()


@dataclass(frozen=True)
class SkuStock:
    """Stock of one SKU for the target store. ``manage_stock`` None: no product has this SKU."""

    manage_stock: bool | None
    salable: Decimal = Decimal(0)


@dataclass(frozen=True)
class StockView:
    skus: Mapping[str, SkuStock] = field(default_factory=dict)
    # This order's own pending reservation, positive quantities by SKU (R8: counts as available).
    own_pending: Mapping[str, Decimal] = field(default_factory=dict)

    def of(self, sku: str) -> SkuStock:
        return self.skus.get(sku, SkuStock(manage_stock=None))


@dataclass(frozen=True)
class OrderState:
    """What the channel already did for this order."""

    imported: bool = False
    store_order_shipped: bool = False  # something shipped from the store
    store_order_canceled: bool = False
    holds_pending_reservation: bool = False
    auto_eligible: bool = False


# ---------------------------------------------------------------------------------------------
# Output


class Action(StrEnum):
    CREATE = "create"  # create the store order now
    WAIT = "wait"  # may still be created later
    NEVER = "never"  # will not be created automatically
    ERROR = "error"  # the order cannot be read or holds no line to import
    KEEP = "keep"  # already imported: nothing to do
    CANCEL = "cancel"  # already imported: cancel the store order (R17)


class PendingAction(StrEnum):
    NONE = "none"
    RESERVE = "reserve"  # reserve the managed items at once, with no store order (R12)
    TRANSFER = "transfer"  # the pending reservation becomes the store order's
    COMPENSATE = "compensate"  # release the pending reservation


class ImportState(StrEnum):
    IMPORTED = "imported"
    WAITING = "waiting"
    NOT_IMPORTABLE = "not_importable"
    ERROR = "error"


class Reason(StrEnum):
    """Short codes of the reasons, for filters and the dashboard's banner."""

    IMPORTED = "imported"
    UNREADABLE = "unreadable"
    NO_LINES = "no_lines"
    BAD_DATA = "bad_data"
    BEFORE_INTEGRATION = "before_integration"
    IMPORT_DISABLED = "import_disabled"
    REACHED_WHILE_DISABLED = "reached_while_disabled"
    NEVER_STATUS = "never_status"
    UNKNOWN_STATUS = "unknown_status"
    PENDING = "pending"
    FBA_NOT_SHIPPED = "fba_not_shipped"
    NO_PRICES = "no_prices"
    OUT_OF_STOCK = "out_of_stock"
    CREATE = "create"
    CANCELED = "canceled"


@dataclass(frozen=True)
class Decision:
    action: Action
    import_state: ImportState
    reason_code: Reason
    reason: str
    reserve: bool = False  # reserve the managed items when creating (R7, R12)
    pending: PendingAction = PendingAction.NONE
    # R11: buyer data Amazon withheld; the order is a guest order with placeholders.
    buyer_withheld: bool = False
    lines: tuple[Line, ...] = ()  # the lines to import (positive quantities, C12)
    inventory: Inventory | None = None

    @property
    def creates(self) -> bool:
        return self.action is Action.CREATE


# ---------------------------------------------------------------------------------------------
# The rules


def status_known(status: str) -> Status | None:
    """The source's status of this name, or None for one the rules do not know."""
    try:
        return Status(status)
    except ValueError:
        return None


def in_import_period(at: dt.datetime | None, periods: Sequence[tuple[dt.datetime, dt.datetime | None]]) -> bool:
    """R5: whether ``at`` falls in one of the periods in which import was enabled."""
    if at is None:
        return False
    return any(start <= at and (end is None or at < end) for start, end in periods)


def snapshot_makes_eligible(order: OrderView, account: AccountView) -> bool:
    """R5: a snapshot in a status that can lead to creation, updated in an import period."""
    status = status_known(order.status)
    if status not in ELIGIBLE_STATUSES:
        return False
    if order.purchased_at is None or order.purchased_at < account.integrated_at:
        return False
    return in_import_period(order.last_updated_at, account.import_periods)


def positive_lines(lines: Sequence[Line]) -> tuple[Line, ...]:
    """C12: lines with quantity 0 are skipped (Amazon reports 0 on canceled lines)."""
    return tuple(line for line in lines if line.quantity > 0)


def lines_problem(lines: Sequence[Line]) -> str | None:
    """Lines the store cannot take: a negative quantity, or no seller SKU (C12: 0 is skipped)."""
    for number, line in enumerate(lines, start=1):
        if line.quantity < 0:
            return f"line {number} has a negative quantity ({line.quantity})"
        if line.quantity > 0 and not line.sku.strip():
            return f"line {number} has no seller SKU"
    return None


def money_problem(order: OrderView) -> str | None:
    """R20: the money of one order is in one known currency."""
    if len(order.currencies) > 1:
        return f"the order's money is in more than one currency ({', '.join(sorted(c[:8] for c in order.currencies))})"
    for code in order.currencies:
        if not currency_known(code):
            return f"unknown currency {code[:16]!r}"
    return None


def quantities_by_sku(lines: Sequence[Line]) -> dict[str, int]:
    """R8: two lines of one SKU count together."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.sku] = totals.get(line.sku, 0) + line.quantity
    return totals


@dataclass(frozen=True)
class Shortage:
    sku: str
    salable: Decimal
    ordered: int


def inventory_status(lines: Sequence[Line], stock: StockView) -> tuple[Inventory, tuple[Shortage, ...]]:
    """R8, R10: the worst inventory status among the items, with the SKUs that are short.

    An unmatched SKU and a product that does not manage stock are Do Not Manage; a managed
    one is In-stock when its salable quantity plus this order's own pending reservation
    covers the quantity ordered of all the order's lines of that SKU.
    """
    worst = DO_NOT_MANAGE
    shortages: list[Shortage] = []
    for sku, ordered in quantities_by_sku(lines).items():
        item = stock.of(sku)
        if not item.manage_stock:
            continue
        available = item.salable + stock.own_pending.get(sku, Decimal(0))
        if available >= ordered:
            if worst is DO_NOT_MANAGE:
                worst = IN_STOCK
        else:
            worst = OUT_OF_STOCK
            shortages.append(Shortage(sku, item.salable + stock.own_pending.get(sku, Decimal(0)), ordered))
    return worst, tuple(shortages)


def shortage_text(shortages: Sequence[Shortage]) -> str:
    """R9's words: "out of stock: SKU X, salable 0, ordered 2"."""
    parts = [f"SKU {s.sku}, salable {_qty(s.salable)}, ordered {s.ordered}" for s in shortages]
    return "out of stock: " + "; ".join(parts)


def _qty(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def buyer_withheld(order: OrderView) -> bool:
    """R11 [D]: Amazon withheld the buyer's email (FBA, or a seller without the role)."""
    return not order.buyer_email.strip()


def placeholder_email(amazon_order_id: str) -> str:
    """R11 [D]: an address that can never deliver, for an order whose buyer email is withheld."""
    return f"{amazon_order_id}@{PLACEHOLDER_EMAIL_DOMAIN}"


def _release(state: OrderState) -> PendingAction:
    return PendingAction.COMPENSATE if state.holds_pending_reservation else PendingAction.NONE


def order_decide(
    *,
    order: OrderView,
    settings: SettingsView,
    account: AccountView,
    stock: StockView,
    state: OrderState,
    manual: bool = False,
) -> Decision:
    """Decide what to do with an Amazon order now (R1, R4–R12, R17, R20, C12).

    ``manual`` is a hand import (R5): it may import an order that is not eligible for the
    automatic import, by the same rules otherwise.
    """
    if state.imported:
        return _decide_imported(order, state)
    if not order.readable:
        return Decision(Action.ERROR, ImportState.ERROR, Reason.UNREADABLE,
                        f"Amazon's data cannot be read: {order.unreadable_reason}", pending=_release(state))
    if status_known(order.status) is Status.ERROR or not order.status:
        # R7: a status the channel cannot read is the channel's own Error, whatever the settings.
        return _decide_by_status(order, settings, stock, state)
    refusal = _refuse_importability(order, settings, account, state, manual)
    if refusal is not None:
        return refusal
    return _decide_by_status(order, settings, stock, state)


def _decide_imported(order: OrderView, state: OrderState) -> Decision:
    """R17: an imported order canceled at Amazon before it shipped from the store is canceled."""
    if (status_known(order.status) is Status.CANCELED and not state.store_order_shipped
            and not state.store_order_canceled):
        return Decision(Action.CANCEL, ImportState.IMPORTED, Reason.CANCELED,
                        "canceled at Amazon: the store order is canceled")
    return Decision(Action.KEEP, ImportState.IMPORTED, Reason.IMPORTED, "imported")


def _refuse_importability(
    order: OrderView, settings: SettingsView, account: AccountView, state: OrderState, manual: bool,
) -> Decision | None:
    """R4, R1, C37, R5: the order may not import at all, whatever its stock."""
    release = _release(state)
    if order.purchased_at is None or order.purchased_at < account.integrated_at:
        return Decision(Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.BEFORE_INTEGRATION,
                        "placed before integration", pending=release)
    if not settings.import_enabled:
        return Decision(Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.IMPORT_DISABLED,
                        "not imported: import disabled", pending=release)
    if status_known(order.status) is None:
        # C37: a status the model does not name is not an error; a later creating status imports.
        return Decision(Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.UNKNOWN_STATUS,
                        f"Amazon status {order.status[:64]} is not one that creates orders", pending=release)
    if not (manual or state.auto_eligible):
        status = status_known(order.status)
        if status in NEVER_STATUSES:  # first seen already Canceled/Unfulfillable: nothing was disabled
            return Decision(Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.NEVER_STATUS,
                            f"{status.value} before import", pending=release)
        return Decision(Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.REACHED_WHILE_DISABLED,
                        f"reached {order.status} while import was disabled", pending=release)
    return None


def _decide_by_status(order: OrderView, settings: SettingsView, stock: StockView, state: OrderState) -> Decision:
    release = _release(state)
    status = status_known(order.status)
    if status is None or status is Status.ERROR:
        return Decision(Action.ERROR, ImportState.ERROR, Reason.UNKNOWN_STATUS,
                        f"Amazon reported the status {order.status[:64]!r}, which creates nothing",
                        pending=release)
    if status in NEVER_STATUSES:
        return Decision(Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.NEVER_STATUS,
                        f"{status.value} before import", pending=release)
    if order.channel is None:
        return Decision(Action.ERROR, ImportState.ERROR, Reason.UNREADABLE,
                        "Amazon did not say who fulfills the order (FBA or FBM)", pending=release)
    lines = positive_lines(order.lines)
    problem = lines_problem(order.lines) or (money_problem(order) if order.has_order_total else None)
    if problem is not None:
        return Decision(Action.ERROR, ImportState.ERROR, Reason.BAD_DATA, problem, pending=release)
    if not lines:
        return Decision(Action.ERROR, ImportState.ERROR, Reason.NO_LINES,
                        "the order has no line with a positive quantity", pending=release)
    if status in PENDING_STATUSES:
        return _decide_pending(order, status, settings, stock, state, lines)
    return _decide_creating(order, status, stock, state, lines)


def _decide_pending(
    order: OrderView, status: Status, settings: SettingsView, stock: StockView, state: OrderState,
    lines: tuple[Line, ...],
) -> Decision:
    """R6, R12: a Pending order creates nothing; under "reserve" an FBM order reserves at once."""
    if order.channel is FBA:
        return Decision(Action.WAIT, ImportState.WAITING, Reason.FBA_NOT_SHIPPED,
                        "FBA: waiting for Shipped", pending=_release(state), lines=lines)
    if not settings.reserve_pending:
        return Decision(Action.WAIT, ImportState.WAITING, Reason.PENDING,
                        f"{status.value} at Amazon: waiting for Unshipped", pending=_release(state), lines=lines)
    if state.holds_pending_reservation:
        return Decision(Action.WAIT, ImportState.WAITING, Reason.PENDING,
                        f"{status.value} at Amazon: quantity reserved", lines=lines)
    inventory, shortages = inventory_status(lines, stock)
    if inventory is OUT_OF_STOCK:
        return Decision(Action.WAIT, ImportState.WAITING, Reason.OUT_OF_STOCK,
                        f"{status.value} at Amazon, nothing reserved: {shortage_text(shortages)}",
                        lines=lines, inventory=inventory)
    return Decision(Action.WAIT, ImportState.WAITING, Reason.PENDING,
                    f"{status.value} at Amazon: quantity reserved", pending=PendingAction.RESERVE,
                    lines=lines, inventory=inventory)


def _decide_creating(
    order: OrderView, status: Status, stock: StockView, state: OrderState, lines: tuple[Line, ...],
) -> Decision:
    """R7 (the matrix), R8, R9, R20 for Unshipped, PartiallyShipped and Shipped."""
    assert order.channel is not None
    keep = PendingAction.NONE
    if not (order.has_order_total and all(line.has_price for line in lines)):
        return Decision(Action.WAIT, ImportState.WAITING, Reason.NO_PRICES,
                        "Amazon sent no prices yet", pending=keep, lines=lines)
    inventory, shortages = inventory_status(lines, stock)
    row = matrix_row(order.channel, status, inventory)
    assert row is not None, "the matrix covers every channel, creating status and inventory"
    if row.create_order:
        pending = PendingAction.NONE
        if state.holds_pending_reservation:
            pending = PendingAction.TRANSFER if row.inventory_reserved else PendingAction.COMPENSATE
        return Decision(Action.CREATE, ImportState.IMPORTED, Reason.CREATE, "creating the store order",
                        reserve=row.inventory_reserved, pending=pending, buyer_withheld=buyer_withheld(order),
                        lines=lines, inventory=inventory)
    if order.channel is FBA and status is not Status.SHIPPED:
        return Decision(Action.WAIT, ImportState.WAITING, Reason.FBA_NOT_SHIPPED,
                        "FBA: waiting for Shipped", pending=_release(state), lines=lines, inventory=inventory)
    return Decision(Action.WAIT, ImportState.WAITING, Reason.OUT_OF_STOCK, shortage_text(shortages),
                    pending=keep, lines=lines, inventory=inventory)
