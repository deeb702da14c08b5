"""Applying the import rules to Amazon orders: the services the sync engine, the CLI and the dashboard call.

- ``amazon_order_record(*, account, order, seen_at) -> tuple[AmazonOrder, bool]`` (``recording``)
- ``amazon_order_evaluate(*, amazon_order, manual=False, now=None) -> ImportOutcome``: evaluates
  the rules and applies the decision in one transaction; never raises for one bad order (R16).
- ``waiting_orders_evaluate(*, account, skus=None, now=None) -> int``: waiting orders, oldest
  purchase first (R9, R12); returns the number of store orders created.
- ``errored_orders_retry(*, account, now) -> int``: the bounded automatic retries (R16).
- ``amazon_order_import_by_hand(*, account, amazon_order_id, now=None) -> ImportOutcome`` (R5, C2).
- ``settings_changed_evaluate(*, account, fields) -> None``: what a settings change sets in motion.

Stock rising wakes waiting orders: ``salable_increased_receiver`` is connected to the store
core's ``salable_increased`` signal in ``ChannelConfig.ready``.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from saleschannel.channel import rules
from saleschannel.channel.errors import ImportRefused
from saleschannel.channel.models import Account, AmazonOrder, ImportAttempt, OrderSettings
from saleschannel.channel.services.imports.reconcile import amazon_shipments_reconcile
from saleschannel.channel.services.imports.recording import account_view, amazon_order_record
from saleschannel.channel.services.imports.snapshot import amazon_order_id_of, order_parse, order_view
from saleschannel.channel.services.imports.storeorder import (
    EXTERNAL_CHANNEL,
    PENDING_OBJECT_TYPE,
    ImportFailed,
    store_order_create,
)
from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.errors import CommerceError
from saleschannel.commerce.inventory.errors import InsufficientStock
from saleschannel.commerce.inventory.selectors import open_reservations, salable_quantities, stock_for_store
from saleschannel.commerce.inventory.services import (
    reservation_append,
    reservations_release,
)
from saleschannel.commerce.memo import forget
from saleschannel.commerce.sales.errors import ExternalRefTaken
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.commerce.sales.services import order_cancel
from saleschannel.spapi.models import Order, UnreadableOrder

__all__ = [
    "RETRY_DELAYS",
    "ImportOutcome",
    "amazon_order_evaluate",
    "amazon_order_import_by_hand",
    "amazon_order_record",
    "errored_orders_retry",
    "salable_increased_receiver",
    "settings_changed_evaluate",
    "waiting_orders_evaluate",
]

log = logging.getLogger("saleschannel.channel.import")
ZERO = Decimal(0)
# R16: automatic retries after a failed import, then it waits for a hand retry.
RETRY_DELAYS = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15),
    dt.timedelta(hours=1), dt.timedelta(hours=4),
)
S = AmazonOrder.ImportState
# What an evaluation may change on an Amazon order; the snapshot's own fields (its raw JSON
# above all) are the recorder's and are not written again.
DECIDED = ("auto_eligible", "import_state", "reason_code", "reason", "holds_pending_reservation",
           "pending_generation", "store_order", "store_order_number", "error_attempts", "next_retry_at",
           "evaluated_at")


@dataclass(frozen=True)
class ImportOutcome:
    """What an evaluation did to one Amazon order."""

    amazon_order_id: str
    import_state: str
    reason: str
    store_order_number: str = ""
    created: bool = False  # a store order was created by this evaluation
    attempted: bool = False  # this evaluation tried to create one

    @property
    def imported(self) -> bool:
        return self.import_state == S.IMPORTED


def _outcome(ao: AmazonOrder, *, created: bool = False, attempted: bool = False) -> ImportOutcome:
    return ImportOutcome(ao.amazon_order_id, ao.import_state, ao.reason, ao.store_order_number, created, attempted)


def _settings_view(settings: OrderSettings) -> rules.SettingsView:
    return rules.SettingsView(
        import_enabled=settings.import_enabled,
        reserve_pending=settings.pending_orders == OrderSettings.PendingOrders.RESERVE,
        new_customer_account=settings.customer_creation == OrderSettings.CustomerCreation.NEW_ACCOUNT,
    )


def _stock_view(settings: OrderSettings, view: rules.OrderView, *, holds_pending: bool) -> tuple[rules.StockView, Any]:
    """R8: salable quantities on the target store's stock, and this order's own pending reservation
    (read only when the order holds one: the flag is written with the reservation, R12)."""
    if settings.store is None:
        return rules.StockView(), None
    stock = stock_for_store(store=settings.store)
    skus = {line.sku for line in rules.positive_lines(view.lines) if line.sku}
    products = products_by_sku(skus)
    managed = [sku for sku in skus if sku in products and products[sku].manage_stock]
    salable = salable_quantities(stock=stock, skus=managed) if managed else {}
    own = (open_reservations(object_type=PENDING_OBJECT_TYPE, object_id=view.amazon_order_id, stock=stock)
           if holds_pending else {})
    items = {sku: rules.SkuStock(manage_stock=products[sku].manage_stock if sku in products else None,
                                 salable=salable.get(sku, ZERO)) for sku in skus}
    return rules.StockView(skus=items, own_pending={sku: -qty for sku, qty in own.items()}), stock


def _order_state(ao: AmazonOrder) -> rules.OrderState:
    store_order = ao.store_order
    return rules.OrderState(
        imported=store_order is not None,
        # Shipped from the store, or finished (an FBA order is complete at creation, R21).
        store_order_shipped=store_order is not None and (
            store_order.state in ("complete", "closed") or store_order.items.filter(qty_shipped__gt=0).exists()
        ),
        store_order_canceled=store_order is not None and store_order.state == "canceled",
        holds_pending_reservation=ao.holds_pending_reservation,
        auto_eligible=ao.auto_eligible,
    )


def amazon_order_evaluate(
    *, amazon_order: AmazonOrder, manual: bool = False, now: dt.datetime | None = None,
    recorded: Order | UnreadableOrder | None = None,
) -> ImportOutcome:
    """Evaluate the rules for one Amazon order and apply the decision, in one transaction.

    Creates the store order (R7–R15, R20, R21), reserves or releases a pending reservation
    (R12), cancels an imported order canceled at Amazon (R17), or records why it waits or
    will not import. A failure rolls the order back and marks it ``error`` with a plain
    message and a retry time (R16); it is never raised.

    ``recorded``: the order as ``amazon_order_recorded`` stored it a moment ago in the
    caller's transaction, with ``amazon_order`` its locked row: taken as they are, not read
    and parsed again.
    """
    now = now or timezone.now()
    attempting: list[bool] = [False]
    try:
        with transaction.atomic():
            handed = (amazon_order, recorded) if recorded is not None else None
            return _evaluate_locked(amazon_order.pk, manual, now, attempting, handed)
    except ExternalRefTaken:
        forget()  # what was read inside the rolled-back savepoint may be gone
        return _link_existing(amazon_order.pk, now)
    except InsufficientStock as exc:
        # Stock went between the decision and the reservation: the order waits (R9).
        forget()
        return _set_waiting_short(amazon_order.pk, exc, now)
    except Exception as exc:
        forget()
        log.warning("import of Amazon order %s failed: %s", amazon_order.amazon_order_id, type(exc).__name__)
        return _record_failure(amazon_order.pk, exc, manual=manual, attempted=attempting[0], now=now)


def _evaluate_locked(pk: int, manual: bool, now: dt.datetime, attempting: list[bool],
                     handed: tuple[AmazonOrder, Order | UnreadableOrder] | None = None) -> ImportOutcome:
    if handed is not None:
        ao, parsed = handed
    else:
        ao = AmazonOrder.objects.select_for_update(of=("self",)).select_related("account", "store_order").get(pk=pk)
        parsed = order_parse(ao.raw)
        id_problem = amazon_order_id_of(parsed)[1]
        if id_problem:
            parsed = UnreadableOrder(order_id=None, raw=ao.raw, error=id_problem)
    settings = OrderSettings.objects.select_related("store__website").get(account=ao.account)
    view = order_view(ao.amazon_order_id, parsed)
    stock_view, stock = _stock_view(settings, view, holds_pending=ao.holds_pending_reservation)
    if manual and settings.import_enabled and view.purchased_at and view.purchased_at >= ao.account.integrated_at:
        ao.auto_eligible = True  # [D] a hand import makes the order eligible: if it waits, it is created later
    decision = rules.order_decide(order=view, settings=_settings_view(settings), account=account_view(ao.account),
                                  stock=stock_view, state=_order_state(ao), manual=manual)
    if decision.action is rules.Action.CREATE:
        assert isinstance(parsed, Order)
        attempting[0] = True
        return _create(ao, parsed, decision, settings, manual, now)
    if decision.action is rules.Action.CANCEL:
        assert ao.store_order is not None
        order_cancel(order=ao.store_order, comment="Canceled at Amazon")
    reason, code = _apply_pending(ao, decision, stock)
    _set_state(ao, decision, reason, code, now)
    if decision.action is rules.Action.KEEP:
        amazon_shipments_reconcile(amazon_order=ao, now=now)  # shipped in Seller Central; the rest canceled
    return _outcome(ao)


def _create(
    ao: AmazonOrder, parsed: Order, decision: rules.Decision, settings: OrderSettings, manual: bool,
    now: dt.datetime,
) -> ImportOutcome:
    parsed, corrected = _address_corrected(ao, parsed)
    order = store_order_create(amazon_order=ao, parsed=parsed, decision=decision, settings=settings,
                               address_corrected=corrected)
    if decision.pending in (rules.PendingAction.COMPENSATE, rules.PendingAction.TRANSFER):
        # What the transfer did not take over (held on another store's stock) is released.
        _pending_release(ao)
    ao.store_order, ao.store_order_number = order, order.number
    ao.import_state, ao.reason_code, ao.reason = S.IMPORTED, rules.Reason.IMPORTED.value, order.number
    if decision.buyer_withheld:
        ao.reason = f"{order.number} (guest order: Amazon withheld the buyer's email)"
    ao.next_retry_at, ao.evaluated_at = None, now
    ao.save(update_fields=DECIDED)
    ImportAttempt.objects.create(amazon_order=ao, attempted_at=now, manual=manual, succeeded=True,
                                 store_order_number=order.number)
    # C30: packages Amazon lists already (shipped from Seller Central) become shipments at once,
    # and lines it canceled before this snapshot are canceled (C32); never confirmed back.
    amazon_shipments_reconcile(amazon_order=ao, now=now, packages_only=True)
    return _outcome(ao, created=True, attempted=True)


def _address_corrected(ao: AmazonOrder, parsed: Order) -> tuple[Order, bool]:
    """C33: the merchant's last address correction, kept apart from Amazon's snapshots, wins over
    the address of the snapshot that creates the order."""
    last = ao.address_corrections.order_by("-corrected_at", "-pk").first()
    if last is None or not isinstance(last.corrected, dict) or not isinstance(ao.raw, dict):
        return parsed, False
    raw = copy.deepcopy(ao.raw)
    found = raw.get("recipient")
    recipient: dict[str, Any] = found if isinstance(found, dict) else {}
    recipient["deliveryAddress"] = {k: v for k, v in last.corrected.items() if v not in (None, "")}
    raw["recipient"] = recipient
    corrected = order_parse(raw)
    if not isinstance(corrected, Order):
        raise ImportFailed("the corrected shipping address cannot be read: correct it again")
    return corrected, True


def _pending_reserve(ao: AmazonOrder, decision: rules.Decision, stock: Any) -> tuple[str, rules.Reason]:
    """R12: reserve the managed items of a Pending order at once, when every one is salable."""
    ao.pending_generation += 1
    lines = [(sku, Decimal(qty)) for sku, qty in rules.quantities_by_sku(decision.lines).items()]
    try:
        with transaction.atomic():
            reservation_append(
                stock=stock, lines=lines, event_type="amazon_order_pending", object_type=PENDING_OBJECT_TYPE,
                object_id=ao.amazon_order_id,
                event_key=f"amazon:{ao.account_id}:{ao.amazon_order_id}:pending:{ao.pending_generation}",
            )
    except InsufficientStock as exc:
        return f"{ao.status} at Amazon, nothing reserved: {_short_text(exc)}", rules.Reason.OUT_OF_STOCK
    held = open_reservations(object_type=PENDING_OBJECT_TYPE, object_id=ao.amazon_order_id, stock=stock)
    ao.holds_pending_reservation = bool(held)
    if not held:
        return f"{ao.status} at Amazon: waiting for Unshipped (nothing to reserve)", decision.reason_code
    return decision.reason, decision.reason_code


def _pending_release(ao: AmazonOrder) -> None:
    """R12: compensate the pending reservation (canceled, import disabled, no_reserve, failed for good).

    Released on every stock that holds it, also when the settings' store changed meanwhile.
    """
    reservations_release(
        object_type=PENDING_OBJECT_TYPE, object_id=ao.amazon_order_id, event_type="amazon_order_pending_released",
        key_prefix=f"amazon:{ao.account_id}:{ao.amazon_order_id}:pending:{ao.pending_generation}:release",
    )
    ao.holds_pending_reservation = False


def _apply_pending(ao: AmazonOrder, decision: rules.Decision, stock: Any) -> tuple[str, rules.Reason]:
    """R12's pending reservation; returns the reason (and its code) to show."""
    if decision.pending is rules.PendingAction.RESERVE and stock is not None:
        return _pending_reserve(ao, decision, stock)
    if decision.pending is rules.PendingAction.COMPENSATE:
        _pending_release(ao)
    return decision.reason, decision.reason_code


def _set_state(ao: AmazonOrder, decision: rules.Decision, reason: str, code: rules.Reason, now: dt.datetime) -> None:
    ao.import_state = decision.import_state.value
    ao.reason_code = code.value
    if decision.import_state is rules.ImportState.IMPORTED and ao.store_order is not None:
        ao.reason = ao.store_order.number if decision.action is rules.Action.KEEP else f"{ao.store_order.number}: {reason}"
    else:
        ao.reason = reason
        ao.next_retry_at = None
    ao.evaluated_at = now
    ao.save(update_fields=DECIDED)


def _short_text(exc: InsufficientStock) -> str:
    return rules.shortage_text([rules.Shortage(sku, salable, int(qty)) for sku, salable, qty in exc.shortages])


def _link_existing(pk: int, now: dt.datetime) -> ImportOutcome:
    """R15: the store order exists already (another worker made it): link it and return it."""
    with transaction.atomic():
        ao = AmazonOrder.objects.select_for_update().get(pk=pk)
        order = StoreOrder.objects.get(external_channel=EXTERNAL_CHANNEL, external_account=str(ao.account_id),
                                       external_id=ao.amazon_order_id)
        ao.store_order, ao.store_order_number = order, order.number
        ao.import_state, ao.reason_code, ao.reason = S.IMPORTED, rules.Reason.IMPORTED.value, order.number
        ao.next_retry_at, ao.evaluated_at = None, now
        ao.save(update_fields=DECIDED)
    return _outcome(ao)


def _set_waiting_short(pk: int, exc: InsufficientStock, now: dt.datetime) -> ImportOutcome:
    with transaction.atomic():
        ao = AmazonOrder.objects.select_for_update().get(pk=pk)
        ao.import_state, ao.reason_code = S.WAITING, rules.Reason.OUT_OF_STOCK.value
        ao.reason, ao.evaluated_at = _short_text(exc), now
        ao.save(update_fields=DECIDED)
    return _outcome(ao)


def _plain_error(exc: Exception) -> str:
    """The failure in plain words, without the refused value (it may be buyer data)."""
    field, reason = getattr(exc, "field", None), getattr(exc, "reason", None)
    if field and reason:
        return f"{field}: {reason}"
    if isinstance(exc, ImportFailed | CommerceError):
        return str(exc)[:500]
    if isinstance(exc, DatabaseError):
        first = str(exc).splitlines()[0] if str(exc) else ""
        return f"database error: {first[:300]}" if first else "database error"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _record_failure(pk: int, exc: Exception, *, manual: bool, attempted: bool, now: dt.datetime) -> ImportOutcome:
    """R16: the order is marked "import error" with a plain message and a bounded retry time."""
    message = "import error: " + _plain_error(exc)
    with transaction.atomic():
        ao = AmazonOrder.objects.select_for_update(of=("self",)).select_related("account").get(pk=pk)
        ao.error_attempts += 1
        failures = ao.error_attempts
        ao.next_retry_at = now + RETRY_DELAYS[failures - 1] if failures <= len(RETRY_DELAYS) else None
        if ao.next_retry_at is None and ao.holds_pending_reservation:
            _pending_release(ao)
        ao.import_state, ao.reason_code, ao.reason = S.ERROR, "import_error", message
        ao.evaluated_at = now
        ao.save(update_fields=DECIDED)
        if attempted:
            ImportAttempt.objects.create(amazon_order=ao, attempted_at=now, manual=manual, succeeded=False,
                                         error=message[:5000])
    return _outcome(ao, attempted=attempted)


# ---------------------------------------------------------------------------------------------
# Many orders at a time


_waking = threading.local()


def waiting_orders_evaluate(
    *, account: Account, skus: Iterable[str] | None = None, now: dt.datetime | None = None,
) -> int:
    """Evaluate again the account's orders that wait for stock, oldest purchase first (R9, R12).

    Orders that wait for Amazon (Pending, FBA before Shipped, no prices yet) change only with a
    new snapshot, which is evaluated when it is recorded; they are left alone here. With
    ``skus``, only the orders holding one of them. Returns the store orders created.
    """
    orders = AmazonOrder.objects.filter(account=account, import_state=S.WAITING,
                                        reason_code__in=[rules.Reason.OUT_OF_STOCK.value, ""])
    if skus is not None:
        wanted = [sku for sku in set(skus) if sku]
        if not wanted:
            return 0
        orders = orders.filter(reduce(or_, (Q(skus__contains=f"|{sku}|") for sku in wanted)))
    short = _ShortStock.of(account, orders.order_by().values_list("skus", flat=True).distinct())
    created = 0
    rows = (orders.order_by("purchase_date", "pk")
            .values_list("pk", "amazon_order_id", "raw", "holds_pending_reservation", "reason")
            .iterator(chunk_size=200))
    for pk, amazon_order_id, raw, holds_pending, reason in rows:
        needs = short.needs(amazon_order_id, raw) if not holds_pending else None
        if needs is not None and short.cannot_cover(needs):
            # Still short of stock as it stands: evaluating it again would only say so again;
            # its reason still shows the figures of now (C36).
            now_reason = short.reason(needs)
            if now_reason != reason:
                AmazonOrder.objects.filter(pk=pk, import_state=S.WAITING).update(reason=now_reason)
            continue
        outcome = amazon_order_evaluate(amazon_order=AmazonOrder(pk=pk, amazon_order_id=amazon_order_id), now=now)
        if outcome.created and needs is not None:
            short.take(needs)
        created += outcome.created
    return created


class _ShortStock:
    """The salable quantities of the SKUs that waiting orders ask for, read once per pass (R9).

    An order whose managed lines ask for more than is salable is skipped without a transaction:
    the evaluation would find the same shortage. The figures go down as this pass creates orders;
    stock that rises meanwhile wakes the orders again (``salable_increased_receiver``). Orders that
    hold a pending reservation of their own are always evaluated (R8 counts it as theirs).
    """

    def __init__(self, salable: dict[str, Decimal] | None) -> None:
        self.salable = salable  # managed SKUs only; None: no store or stock to read

    @classmethod
    def of(cls, account: Account, sku_lists: Iterable[str]) -> _ShortStock:
        settings = OrderSettings.objects.select_related("store").filter(account=account).first()
        if settings is None or settings.store is None:
            return cls(None)
        skus = {sku for joined in sku_lists for sku in joined.split("|") if sku}
        products = products_by_sku(skus)
        managed = [sku for sku in skus if sku in products and products[sku].manage_stock]
        try:
            stock = stock_for_store(store=settings.store)
        except CommerceError:
            return cls(None)
        return cls(salable_quantities(stock=stock, skus=managed) if managed else {})

    def needs(self, amazon_order_id: str, raw: Any) -> dict[str, Decimal] | None:
        """The order's quantities of managed SKUs; None when they cannot be told (it is evaluated)."""
        if self.salable is None:
            return None
        try:
            view = order_view(amazon_order_id, order_parse(raw))
        except Exception:
            return None
        wanted = rules.quantities_by_sku(rules.positive_lines(view.lines))
        return {sku: Decimal(qty) for sku, qty in wanted.items() if sku in self.salable}

    def cannot_cover(self, needs: dict[str, Decimal]) -> bool:
        assert self.salable is not None
        return any(self.salable[sku] < qty for sku, qty in needs.items())

    def reason(self, needs: dict[str, Decimal]) -> str:
        """R9's words with the figures of now, as the evaluation would write them."""
        assert self.salable is not None
        return rules.shortage_text([rules.Shortage(sku, self.salable[sku], int(qty))
                                    for sku, qty in needs.items() if self.salable[sku] < qty])

    def take(self, needs: dict[str, Decimal]) -> None:
        assert self.salable is not None
        for sku, qty in needs.items():
            self.salable[sku] -= qty


def errored_orders_retry(*, account: Account, now: dt.datetime) -> int:
    """R16: retry the account's errored imports whose retry time has come; returns the attempts made."""
    due = (AmazonOrder.objects.filter(account=account, import_state=S.ERROR, next_retry_at__lte=now)
           .order_by("next_retry_at", "pk").only("pk", "amazon_order_id"))
    count = 0
    for ao in due.iterator():
        count += 1
        amazon_order_evaluate(amazon_order=ao, now=now)
    return count


def amazon_order_import_by_hand(
    *, account: Account, amazon_order_id: str, now: dt.datetime | None = None,
) -> ImportOutcome:
    """Import one Amazon order by hand (R5), by the same rules; refused while import is disabled (C2).

    Raises ``ImportRefused`` when import is disabled or the order is unknown; otherwise returns
    the outcome (imported, or why it must wait or will not import).
    """
    settings = OrderSettings.objects.get(account=account)
    if not settings.import_enabled:
        raise ImportRefused("import disabled: enable Import Amazon Orders to import by hand")
    ao = AmazonOrder.objects.filter(account=account, amazon_order_id=str(amazon_order_id)).first()
    if ao is None:
        raise ImportRefused(f"no Amazon order {str(amazon_order_id)[:64]} for account {account.name}")
    return amazon_order_evaluate(amazon_order=ao, manual=True, now=now)


def settings_changed_evaluate(*, account: Account, fields: Iterable[str]) -> None:
    """After a settings change: release or take pending reservations and wake the orders it concerns.

    Orders held back only because import was disabled are evaluated again when it is enabled
    (those not eligible, R5, get their reason in one statement).
    """
    settings = OrderSettings.objects.get(account=account)
    held_back = AmazonOrder.objects.filter(account=account, reason_code=rules.Reason.IMPORT_DISABLED.value)
    if settings.import_enabled:
        held_back.filter(auto_eligible=False).update(
            reason_code=rules.Reason.REACHED_WHILE_DISABLED.value,
            reason=Concat(Value("reached "), "status", Value(" while import was disabled")),
        )
    concerned = Q(holds_pending_reservation=True) | Q(import_state=S.WAITING)
    if settings.import_enabled:
        concerned |= Q(reason_code=rules.Reason.IMPORT_DISABLED.value)
    for ao in (AmazonOrder.objects.filter(concerned, account=account)
               .order_by("purchase_date", "pk").only("pk", "amazon_order_id").iterator()):
        amazon_order_evaluate(amazon_order=ao)


def salable_increased_receiver(sender: Any, stock: Any = None, skus: Iterable[str] = (), **_: Any) -> None:
    """R9: stock rising wakes the waiting orders of the accounts importing into that stock.

    A rise caused while waking (a released reservation) is queued and handled by the same loop.
    """
    queued: set[str] | None = getattr(_waking, "queued", None)
    if queued is not None:
        queued.update(skus)
        return
    _waking.queued = set(skus)
    try:
        for _round in range(10):
            batch, _waking.queued = _waking.queued, set()
            if not batch:
                break
            _wake_accounts(stock, batch)
    finally:
        _waking.queued = None


def _wake_accounts(stock: Any, skus: set[str]) -> None:
    # Runs after the stock change committed: a failure here must not fail the change itself.
    try:
        accounts = _accounts_of_stock(stock)
    except Exception:
        log.warning("waking waiting Amazon orders failed", exc_info=True)
        return
    for account in accounts:
        try:
            waiting_orders_evaluate(account=account, skus=skus)
        except Exception:
            log.warning("waking waiting Amazon orders of account %s failed", account.pk, exc_info=True)


def _accounts_of_stock(stock: Any) -> list[Account]:
    accounts = []
    for settings in (OrderSettings.objects.filter(import_orders=OrderSettings.ImportOrders.ENABLED)
                     .select_related("account", "store")):
        if settings.store is not None and (stock is None or stock_for_store(store=settings.store).pk == stock.pk):
            accounts.append(settings.account)
    return accounts
