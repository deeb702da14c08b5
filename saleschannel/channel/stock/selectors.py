"""Reads of Stock to Amazon: whether an account pushes, what is due, what to send.

- ``stock_settings_of(*, account) -> StockSettings``: stored, or the defaults (unsaved): reads write nothing.
- ``push_state(*, account) -> PushState``: active, or why not (T1, T11, T16).
- ``in_flight_units(*, account, skus=None) -> dict[str, Decimal]``: the guard of T4.4 (C43).
- ``due_offers(*, account, stock) -> list[Offer]``: the MFN offers whose store version or
  channel mark moved past what was last decided for them (T5).
- ``push_plan(*, account, now=None) -> PushPlan``: each due offer's desired quantity (T4),
  those to send in T6's order, and those found unchanged (to settle, ``offers_settle``).
- ``offers_list(*, account, state=None) -> list[OfferRow]``: the offers as ``listings`` shows them.
- ``discovery_batches(*, skus=None) -> list[list[str]]``: the store's SKUs, 20 per search (T3).
- ``offers_unsearched(*, account) -> list[str]``: store SKUs never searched (T3).
- ``offers_attention_count(*, account) -> int``, ``pushes_per_hour(*, account, now, tz)``: T14's count and chart.

The pusher (``services.push.offers_push``) is: ``offers_due_from_amazon_orders``, ``offers_drift_mark``,
``push_plan``, then per planned push a ``patchListingsItem`` (or a feed) and
``offer_push_record`` with Amazon's answer, and ``offers_settle`` for the unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from saleschannel.channel.models import Account, AmazonOrder, OrderSettings, RateBucket
from saleschannel.channel.stock.models import Offer, StockPush, StockSettings
from saleschannel.channel.stock.rules import (
    Desired,
    DesiredInputs,
    Direction,
    PushCandidate,
    desired_quantity,
    push_order,
)
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.inventory.models import Stock
from saleschannel.commerce.inventory.selectors import (
    LastMove,
    last_moves,
    sku_version_subquery,
    stock_figures,
    stock_for_store,
)
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.spapi.models import Order, read_order
from saleschannel.spapi.ratelimit import DEFAULT_PLANS

ZERO = Decimal(0)
# C43, T4.4: an open MFN order (not shipped, not canceled) that may hold units in flight.
OPEN_STATUSES = ("Pending", "PendingAvailability", "Unshipped", "PartiallyShipped")
PAUSE_VARIABLE = "SALESCHANNEL_PUSH_PAUSED"
STOCK_MOVED = "stock changed"
# Beyond this many SKUs the open orders are read whole: they are few, a long OR of LIKEs is not.
SKU_FILTER_MAX = 50
PATCH_OPERATION = "patchListingsItem"
STORE_ORDER_OBJECT = "order"  # the ledger's object type of store orders (commerce.sales)


@dataclass(frozen=True)
class PushState:
    """Whether the account's offers are pushed now; ``reason`` in the merchant's words when not."""

    active: bool
    reason: str = ""


def installation_paused() -> bool:
    """T16: ``SALESCHANNEL_PUSH_PAUSED=1`` pauses every account of the installation: the Django
    setting of that name (read from the environment at start), or the environment now (a
    running process sees it set without a restart)."""
    return bool(getattr(django_settings, PAUSE_VARIABLE, False)) or os.environ.get(PAUSE_VARIABLE, "") == "1"


def stock_settings_of(*, account: Account) -> StockSettings:
    """The account's stock settings, or the defaults (not saved) when none were ever saved."""
    return StockSettings.objects.filter(account=account).first() or StockSettings(account=account)


def _settings_of(account: Account) -> tuple[StockSettings, OrderSettings | None]:
    stock_settings = stock_settings_of(account=account)
    return stock_settings, OrderSettings.objects.select_related("store").filter(account=account).first()


def push_state(
    *, account: Account, settings: tuple[StockSettings, OrderSettings | None] | None = None
) -> PushState:
    """T1, T11, T16: push enabled, import enabled, the account's credentials accepted, no pause.

    ``settings``: the account's (stock settings, order settings) when the caller has read them.
    """
    stock_settings, order_settings = settings or _settings_of(account)
    if not stock_settings.push_enabled:
        return PushState(False, "Push Stock to Amazon is disabled")
    if order_settings is None or not order_settings.import_enabled:
        return PushState(False, "Push is paused: Import Amazon Orders is disabled")
    if order_settings.store_id is None:
        return PushState(False, "Push is paused: no store to import into")
    if account.credentials_state != Account.CredentialsState.OK:
        return PushState(False, "Push is paused: the account needs reconnecting")
    if installation_paused():
        return PushState(False, f"Push is paused for the installation ({PAUSE_VARIABLE}=1)")
    return PushState(True)


def target_stock(*, account: Account, order_settings: OrderSettings | None = None) -> Stock | None:
    """The stock that feeds the account's target store (T4.3); None without a store."""
    if order_settings is None:
        order_settings = OrderSettings.objects.select_related("store").filter(account=account).first()
    if order_settings is None or order_settings.store is None:
        return None
    return stock_for_store(store=order_settings.store)


def _units_in_flight(order: Order) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for item in order.items:
        if not item.seller_sku:
            continue
        if item.quantity_unshipped is not None:
            left = item.quantity_unshipped
        else:
            left = item.quantity_ordered - (item.quantity_shipped or 0)
        units[item.seller_sku] += max(left, 0)
    return units


def in_flight_units(*, account: Account, skus: Iterable[str] | None = None) -> dict[str, Decimal]:
    """T4.4 with C43: units per SKU in the account's open MFN Amazon orders that hold neither a
    store order nor a pending reservation (those are already inside the salable quantity)."""
    wanted = None if skus is None else set(skus)
    orders = AmazonOrder.objects.filter(
        account=account, channel=AmazonOrder.Channel.FBM, status__in=OPEN_STATUSES,
        store_order__isnull=True, holds_pending_reservation=False,
    ).exclude(skus="")
    if wanted is not None and len(wanted) <= SKU_FILTER_MAX:
        if not wanted:
            return {}
        match = Q()
        for sku in sorted(wanted):
            match |= Q(skus__contains=f"|{sku}|")
        orders = orders.filter(match)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for raw in orders.values_list("raw", flat=True).iterator():
        parsed = read_order(raw)
        if not isinstance(parsed, Order):
            continue  # unreadable: its SKUs and quantities are not known
        for sku, units in _units_in_flight(parsed).items():
            if wanted is None or sku in wanted:
                totals[sku] += units
    return dict(totals)


def due_offers(*, account: Account, stock: Stock) -> list[Offer]:
    """T5: the account's MFN offers whose (stock, SKU) version moved past the one last decided for
    them, or that a channel event marked due; one query. ``store_version`` is annotated."""
    version = Coalesce(sku_version_subquery(stock=stock, sku=OuterRef("sku")), 0)
    return list(
        Offer.objects.filter(account=account, mfn=True)
        .annotate(store_version=version)
        .filter(Q(store_version__gt=F("seen_stock_version")) | Q(due_generation__gt=F("seen_generation")))
        .order_by("pk")
    )


@dataclass(frozen=True)
class PlannedPush:
    """One offer to push: what to send (T7), the version it settles (T11), and why (T13)."""

    offer_id: int
    sku: str
    product_type: str
    quantity: int
    handling_time: int | None
    stock_version: int
    generation: int
    reason: str
    direction: Direction
    due_since: dt.datetime


@dataclass(frozen=True)
class Settled:
    """A due offer that needs no push: its desired quantity is the one Amazon last accepted (T5),
    or it is left alone (T4.2); ``offers_settle`` records that it was looked at."""

    offer_id: int
    stock_version: int
    generation: int
    desired: int | None
    left_alone: bool


@dataclass(frozen=True)
class PushPlan:
    """What one push cycle of an account would send, in T6's order; nothing while ``state`` is inactive."""

    account_id: int
    seller_id: str
    marketplace_id: str
    state: PushState
    pushes: list[PlannedPush] = field(default_factory=list)
    settled: list[Settled] = field(default_factory=list)


def _inputs(product: Product, salable: Decimal, in_flight: Decimal, settings: StockSettings) -> DesiredInputs:
    return DesiredInputs(
        manages_stock=product.manage_stock, enabled=product.enabled,
        # R10 makes placeholders disabled and Do Not Manage: such a product is left alone.
        is_placeholder=not product.enabled and not product.manage_stock,
        salable=salable, in_flight=in_flight, threshold=settings.out_of_stock_threshold,
        maximum=settings.max_listed_quantity, do_not_manage_quantity=settings.unmanaged_quantity,
    )


def desired_of(
    *, account: Account, stock: Stock, skus: Iterable[str], settings: StockSettings | None = None
) -> dict[str, Desired]:
    """T4 for these SKUs of the account: three reads (products, stock figures, open Amazon orders)."""
    wanted = sorted(set(skus))
    if settings is None:
        settings = _settings_of(account)[0]
    products = products_by_sku(wanted)
    figures = stock_figures(stock=stock, skus=[sku for sku in wanted if sku in products])
    guard = in_flight_units(account=account, skus=figures)
    return {
        sku: desired_quantity(_inputs(products[sku], figures[sku].salable, guard.get(sku, ZERO), settings))
        for sku in wanted if sku in products
    }


def _needs_push(offer: Offer, desired: int) -> bool:
    """T5: not when Amazon last accepted this quantity; T11: an offer in error is not sent again
    until the merchant retries it (a channel mark) or its quantity changes."""
    if offer.state == Offer.State.ERROR:
        return desired != offer.desired_quantity
    if offer.state == Offer.State.DRIFT:
        return True  # T12: Amazon shows another figure than the one it accepted
    if offer.last_accepted_quantity is None:
        # [D] Never pushed: the quantity Amazon showed when the offer was learned stands for the
        # last accepted one, so a reconciliation of offers already right sends nothing.
        return desired != offer.amazon_quantity
    return desired != offer.last_accepted_quantity


def push_plan(*, account: Account, now: dt.datetime | None = None) -> PushPlan:
    """The account's due offers with their desired quantities (T4, T5), to push in T6's order.

    Offers of SKUs that are no store product are not pushed (T3). Reads only: the pusher
    records what it sent with ``offer_push_record`` and the unchanged with ``offers_settle``.
    """
    now = now or timezone.now()
    stock_settings, order_settings = settings = _settings_of(account)
    state = push_state(account=account, settings=settings)
    plan = PushPlan(account_id=account.pk, seller_id=account.seller_id, marketplace_id=account.marketplace_id,
                    state=state)
    stock = target_stock(account=account, order_settings=order_settings) if state.active else None
    if stock is None:
        return plan
    offers = due_offers(account=account, stock=stock)
    desired = desired_of(account=account, stock=stock, skus=[offer.sku for offer in offers], settings=stock_settings)
    handling = stock_settings.handling_time
    candidates: dict[str, PlannedPush] = {}
    for offer in offers:
        found = desired.get(offer.sku)
        if found is None:
            continue  # not in the store: never pushed
        version = int(offer.store_version)  # type: ignore[attr-defined]
        if found.quantity is None or not _needs_push(offer, found.quantity):
            plan.settled.append(Settled(offer.pk, version, offer.due_generation, found.quantity, found.left_alone))
            continue
        since = offer.due_since or offer.last_accepted_at or offer.created_at or now
        candidates[offer.sku] = PlannedPush(
            offer_id=offer.pk, sku=offer.sku, product_type=offer.product_type, quantity=found.quantity,
            handling_time=handling, stock_version=version, generation=offer.due_generation,
            reason=_reason(offer), direction=Direction.INCREASE, due_since=since,
        )
    _reasons_from_the_store(candidates, stock, {offer.sku: offer.updated_at for offer in offers})
    last_known = {offer.sku: _last_known(offer) for offer in offers}
    for candidate in push_order(
        PushCandidate(sku=p.sku, desired=p.quantity, last_known=last_known[p.sku], due_since=p.due_since)
        for p in candidates.values()
    ):
        plan.pushes.append(replace(candidates[candidate.sku], direction=candidate.direction))
    return plan


def _last_known(offer: Offer) -> int | None:
    """What Amazon shows, as far as the channel knows: its own figure, else the last accepted push."""
    return offer.amazon_quantity if offer.amazon_quantity is not None else offer.last_accepted_quantity


def _reasons_from_the_store(
    candidates: dict[str, PlannedPush], stock: Stock, looked_at: dict[str, dt.datetime]
) -> None:
    """T13: a push due to the store says what moved last ("stock set", "reserved by order …"),
    when that came after the offer was last looked at (else the generic words stay: a product
    change, or a shipment's deduction, which leaves no entry of its own)."""
    moved = [sku for sku, planned in candidates.items() if planned.reason == STOCK_MOVED]
    moves = last_moves(stock=stock, skus=moved)
    order_ids = {m.object_id for m in moves.values() if m.object_type == STORE_ORDER_OBJECT}
    numbers = dict(StoreOrder.objects.filter(pk__in=[i for i in order_ids if i.isdigit()])
                   .values_list("pk", "number")) if order_ids else {}
    for sku, move in moves.items():
        if move.at >= looked_at[sku]:
            candidates[sku] = replace(candidates[sku], reason=move_words(move, numbers))


def move_words(move: LastMove, order_numbers: dict[int, str]) -> str:
    """A store change in the merchant's words."""
    if move.event_type == "source_set":
        return "stock set"
    if move.object_type == STORE_ORDER_OBJECT:
        number = order_numbers.get(int(move.object_id)) if move.object_id.isdigit() else None
        subject = f"order {number or move.object_id}"
    else:
        subject = f"{move.object_type.replace('_', ' ')} {move.object_id}"
    if move.event_type == "shipment":
        return f"shipped by {subject}"
    return f"{'reserved' if move.quantity < 0 else 'released'} by {subject}"


def _reason(offer: Offer) -> str:
    """T13: why the push is made; a channel mark names itself, a store change says so."""
    if offer.state == Offer.State.DRIFT:
        return "drift"
    if offer.due_generation > offer.seen_generation and offer.due_reason:
        return offer.due_reason
    return STOCK_MOVED


@dataclass(frozen=True)
class OfferRow:
    """One row of ``listings``: an offer, or a store SKU with no listing (``not_on_amazon``)."""

    sku: str
    marketplace_id: str
    channel: str | None
    state: str
    amazon_quantity: int | None
    desired_quantity: int | None
    last_pushed_quantity: int | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _row_state(offer: Offer, in_store: bool, due: set[int], desired: Desired | None) -> str:
    if not in_store:
        return Offer.State.NOT_IN_STORE.value
    if offer.mfn and desired is not None and desired.left_alone:
        return Offer.State.LEFT_ALONE.value
    if offer.pk in due and offer.state in (Offer.State.IN_SYNC, Offer.State.LEFT_ALONE, Offer.State.SENT):
        return Offer.State.DUE.value
    return str(offer.state)


def offers_list(*, account: Account, state: str | None = None) -> list[OfferRow]:
    """The account's offers and its store SKUs with none, by SKU (T14, ``listings --json``): the
    desired quantity as T4 gives it now, the state as it stands (an offer whose stock moved is
    ``due``), the last accepted push and why it was made."""
    offers = {offer.sku: offer for offer in Offer.objects.filter(account=account)}
    skus = set(Product.objects.values_list("sku", flat=True))
    stock_settings, order_settings = _settings_of(account)
    stock = target_stock(account=account, order_settings=order_settings)
    desired: dict[str, Desired] = {}
    due: set[int] = set()
    if stock is not None:
        mfn = [sku for sku, offer in offers.items() if offer.mfn]
        desired = desired_of(account=account, stock=stock, skus=mfn, settings=stock_settings)
        due = {offer.pk for offer in due_offers(account=account, stock=stock)}
    rows = []
    for sku in sorted(skus | offers.keys()):
        offer = offers.get(sku)
        if offer is None:
            rows.append(OfferRow(sku, account.marketplace_id, None, Offer.State.NOT_ON_AMAZON.value,
                                 None, None, None, ""))
            continue
        found = desired.get(sku) if offer.mfn else None
        rows.append(OfferRow(
            sku=sku, marketplace_id=account.marketplace_id, channel=offer.channel,
            state=_row_state(offer, sku in skus, due, found),
            amazon_quantity=offer.amazon_quantity,
            desired_quantity=found.quantity if found is not None else None,
            last_pushed_quantity=offer.last_accepted_quantity, reason=offer.last_push_reason,
        ))
    return [row for row in rows if state is None or row.state == state]


DISCOVERY_BATCH = 20  # T3: searchListingsItems takes up to 20 identifiers


def discovery_batches(*, skus: Iterable[str] | None = None) -> list[list[str]]:
    """T3: the SKUs to search for (``skus``, or every store SKU), in order, 20 per call."""
    wanted = sorted(set(skus) if skus is not None else set(Product.objects.values_list("sku", flat=True)))
    return [wanted[start:start + DISCOVERY_BATCH] for start in range(0, len(wanted), DISCOVERY_BATCH)]


def offers_unsearched(*, account: Account) -> list[str]:
    """T3: store SKUs never searched for the account (a product added, a SKU changed)."""
    known = Offer.objects.filter(account=account).values_list("sku", flat=True)
    return sorted(Product.objects.exclude(sku__in=known).values_list("sku", flat=True))


ATTENTION_STATES = (Offer.State.ERROR.value, Offer.State.DRIFT.value)


def offers_attention_count(*, account: Account) -> int:
    """T14: the account's offers in error or in drift (the store dashboard's count)."""
    return Offer.objects.filter(account=account, state__in=ATTENTION_STATES).count()


@dataclass(frozen=True)
class PushesPerHour:
    """T14: pushes per hour (patches and feed messages) and the plan's hourly limit of patches."""

    points: list[tuple[dt.datetime, int]]
    plan_per_hour: float


def pushes_per_hour(*, account: Account, now: dt.datetime, tz: dt.tzinfo, hours: int = 24) -> PushesPerHour:
    """The account's pushes sent in each of the last ``hours`` hours (in ``tz``), oldest first, against
    the seller's patch plan (T8: 5 a second unless Amazon advertised another rate)."""
    start = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=hours - 1)
    slots = [start + dt.timedelta(hours=i) for i in range(hours)]
    counts = dict.fromkeys(slots, 0)
    for sent_at in StockPush.objects.filter(account=account, sent_at__gte=start).values_list("sent_at", flat=True):
        slot = sent_at.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        if slot in counts:
            counts[slot] += 1
    rate = (RateBucket.objects.filter(seller_id=account.seller_id, operation=PATCH_OPERATION)
            .values_list("rate", flat=True).first())
    plan = float(rate if rate is not None else DEFAULT_PLANS[PATCH_OPERATION].rate)
    return PushesPerHour(points=[(slot, counts[slot]) for slot in slots], plan_per_hour=plan * 3600)
