"""What the channel learns of its offers and the marks that make them due (T3, T5, T11, T12).

- ``offers_mark_due(*, account, reason, skus=None, now=None, stock_changed=False) -> int``
- ``offers_due_for_amazon_order(*, amazon_order, now=None) -> int``: the recording's hook (T5).
- ``offers_due_from_amazon_orders(*, account, now=None) -> int``: the Amazon orders seen since
  the last call mark their SKUs' offers due (T4.4, T5).
- ``offer_learn(*, account, sku, product_type, channels, status, now=None) -> Offer``: what T3's
  read told of one listing.
- ``offers_not_found(*, account, skus) -> int``: SKUs that T3's search asked for and Amazon did not list.
- ``offer_quantity_seen(*, account, sku, quantity, now=None) -> Offer``: Amazon's own quantity from a
  ``LISTINGS_ITEM_MFN_QUANTITY_CHANGE`` notification (T12).
- ``offers_drift_mark(*, account, now=None, grace=...) -> int``: offers whose Amazon quantity stayed
  off the last accepted push for more than a sync cycle are in ``drift`` and due (T12).
- ``offer_retry(*, offer) -> None``: the merchant's Retry of an offer in error (T11).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from saleschannel.channel.models import Account, AmazonOrder
from saleschannel.channel.stock.models import Offer, StockSettings
from saleschannel.channel.stock.selectors import OPEN_STATUSES
from saleschannel.commerce.catalog.models import Product

SETTING_CHANGED = "setting changed"
RETRIED = "retried by the merchant"
MFN_CODE = "DEFAULT"  # T3: the merchant-fulfilled element of fulfillment_availability
# States an offer leaves for "due" when marked; an error stays until retried (T11), drift stays.
SETTLED_STATES = (Offer.State.IN_SYNC.value, Offer.State.SENT.value, Offer.State.LEFT_ALONE.value)
DRIFT_GRACE = dt.timedelta(minutes=5)  # [D] "more than a sync cycle": the default cycle and then some


def offers_mark_due(
    *,
    account: Account,
    reason: str,
    skus: Iterable[str] | None = None,
    now: dt.datetime | None = None,
    stock_changed: bool = False,
) -> int:
    """T5's channel marks: the account's offers (of ``skus``, or all) are due again, with ``reason``.

    An offer already due keeps the time it became due (T6: oldest first) and takes the
    newest reason. ``stock_changed``: the account now sells from another stock, whose
    versions are not comparable with those seen, so they start again from 0. Returns the
    number of offers marked.
    """
    now = now or timezone.now()
    offers = Offer.objects.filter(account=account)
    if skus is not None:
        offers = offers.filter(sku__in=sorted(set(skus)))
    # The state shows it, except where it says more: an error stays until retried (T11), drift stays.
    state = Case(When(mfn=True, state__in=SETTLED_STATES, then=Value(Offer.State.DUE.value)), default=F("state"))
    reset = {"seen_stock_version": 0} if stock_changed else {}
    return offers.update(due_generation=F("due_generation") + 1, due_since=Coalesce(F("due_since"), now),
                         due_reason=reason[:255], state=state, **reset)


def offers_due_for_amazon_order(*, amazon_order: AmazonOrder, now: dt.datetime | None = None) -> int:
    """T5, T4.4: an Amazon order just recorded marks its SKUs' offers due ("Amazon order … seen"),
    in the recording's own transaction: the push of the same cycle sees it."""
    skus = [sku for sku in amazon_order.skus.split("|") if sku]
    if not skus or amazon_order.channel != AmazonOrder.Channel.FBM:
        return 0
    return offers_mark_due(account=amazon_order.account, reason=f"Amazon order {amazon_order.amazon_order_id} seen",
                           skus=skus, now=now)


def offers_due_from_amazon_orders(*, account: Account, now: dt.datetime | None = None) -> int:
    """T5: each Amazon order seen since the last call marks its SKUs' offers due ("Amazon order … seen"),
    since it may start or end an in-flight guard (T4.4). Returns the number of offers marked."""
    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        StockSettings.objects.get_or_create(account=account)
        settings = StockSettings.objects.select_for_update().get(account=account)
        orders = AmazonOrder.objects.filter(account=account, channel=AmazonOrder.Channel.FBM).exclude(skus="")
        if settings.orders_seen_until is not None:
            orders = orders.filter(last_seen_at__gt=settings.orders_seen_until)
        else:  # the first look: only the orders still open can hold units in flight
            orders = orders.filter(status__in=OPEN_STATUSES)
        latest = settings.orders_seen_until
        for order_id, skus, seen_at in orders.order_by("last_seen_at").values_list(
                "amazon_order_id", "skus", "last_seen_at").iterator():
            marked += offers_mark_due(account=account, reason=f"Amazon order {order_id} seen",
                                      skus=[s for s in skus.split("|") if s], now=now)
            latest = seen_at
        if latest != settings.orders_seen_until:  # a cycle that saw nothing new writes nothing
            settings.orders_seen_until = latest
            settings.save(update_fields=["orders_seen_until", "updated_at"])
    return marked


def offer_learn(
    *,
    account: Account,
    sku: str,
    product_type: str,
    channels: Mapping[str, int | None],
    status: Iterable[str],
    now: dt.datetime | None = None,
) -> Offer:
    """Record what Amazon said of one listing (T3): its product type, its channels (``DEFAULT`` and
    ``AMAZON_*`` codes with their quantities), its status. An offer seen for the first time is due
    (T5); one whose Amazon quantity differs from the last accepted push is in ``drift`` (T12)."""
    now = now or timezone.now()
    mfn = MFN_CODE in channels
    afn = any(code.startswith("AMAZON_") for code in channels)
    quantity = channels.get(MFN_CODE) if mfn else None
    with transaction.atomic():
        offer, created = Offer.objects.select_for_update().get_or_create(account=account, sku=sku)
        was_mfn = offer.mfn and not created
        offer.product_type = product_type[:100]
        offer.mfn, offer.afn = mfn, afn
        offer.amazon_status = sorted(set(status))
        offer.amazon_quantity, offer.amazon_quantity_at = quantity, now
        offer.discovered_at = now
        if not mfn:
            offer.state = Offer.State.FBA if afn else Offer.State.NOT_ON_AMAZON
        elif not was_mfn:
            _due(offer, "listing discovered", now)
        elif (offer.last_accepted_quantity is not None and quantity != offer.last_accepted_quantity
              and offer.state == Offer.State.IN_SYNC):
            # [D] "beyond what unseen Amazon orders explain" is left to the reconciliation cycle:
            # the next plan pushes a drifted offer again, which is the truth in either case.
            _due(offer, "drift", now)
            offer.state = Offer.State.DRIFT
        offer.save()
    return offer


def offers_not_found(*, account: Account, skus: Iterable[str]) -> int:
    """T3: offers of SKUs that a search asked for and Amazon no longer lists are ``not_on_amazon``
    (never pushed: Amazon accepts a patch of an unknown SKU and does nothing with it)."""
    wanted = sorted(set(skus))
    changed = Offer.objects.filter(account=account, sku__in=wanted).update(
        mfn=False, afn=False, amazon_quantity=None, state=Offer.State.NOT_ON_AMAZON)
    # A SKU searched for the first time is kept too: the search is not made again for it until
    # the daily read (a product added or a SKU changed is a store SKU with no row yet).
    Offer.objects.bulk_create([Offer(account=account, sku=sku, state=Offer.State.NOT_ON_AMAZON) for sku in wanted],
                              ignore_conflicts=True)
    return changed


def offer_quantity_seen(*, account: Account, sku: str, quantity: int, now: dt.datetime | None = None) -> Offer:
    """T12: Amazon's ``DEFAULT`` quantity of a listing, as a notification tells it.

    A SKU the channel did not know becomes an MFN offer (due, T3 still has to give its product
    type), or ``not_in_store`` when it is no store product (C48). Whether a difference is drift
    waits for ``offers_drift_mark``: Amazon takes units off at once for its own orders (C47),
    which the store learns within a cycle.
    """
    now = now or timezone.now()
    with transaction.atomic():
        offer, created = Offer.objects.select_for_update().get_or_create(account=account, sku=sku)
        offer.amazon_quantity, offer.amazon_quantity_at = quantity, now
        if created or not offer.mfn:
            offer.mfn = True
            _due(offer, "listing discovered", now)
            if not Product.objects.filter(sku=sku).exists():
                offer.state = Offer.State.NOT_IN_STORE
        offer.save()
    return offer


def offers_drift_mark(*, account: Account, now: dt.datetime | None = None, grace: dt.timedelta = DRIFT_GRACE) -> int:
    """T12: in-sync offers whose Amazon quantity, seen more than ``grace`` ago and after the last
    accepted push, still differs from it: ``drift``, and due ("drift"). Returns how many."""
    now = now or timezone.now()
    drifting = (Offer.objects.filter(account=account, mfn=True, state=Offer.State.IN_SYNC,
                                     amazon_quantity__isnull=False, last_accepted_quantity__isnull=False,
                                     amazon_quantity_at__lte=now - grace,
                                     amazon_quantity_at__gt=F("last_accepted_at"))
                .exclude(amazon_quantity=F("last_accepted_quantity")))
    return drifting.update(state=Offer.State.DRIFT, due_generation=F("due_generation") + 1,
                           due_since=Coalesce(F("due_since"), now), due_reason="drift")


def _due(offer: Offer, reason: str, now: dt.datetime) -> None:
    offer.state = Offer.State.DUE
    offer.due_generation += 1
    offer.due_since = offer.due_since or now
    offer.due_reason = reason


def offer_retry(*, offer: Offer) -> None:
    """T11: the merchant's Retry of an offer in error makes it due again, whatever its quantity."""
    with transaction.atomic():
        offers_mark_due(account=offer.account, reason=RETRIED, skus=[offer.sku])
        Offer.objects.filter(pk=offer.pk, state=Offer.State.ERROR).update(state=Offer.State.DUE)

