"""Writes of Stock to Amazon, shared by the command line, the dashboard, the API and the pusher.

- ``stock_settings_get(*, account) -> StockSettings``
- ``stock_settings_as_dict(settings) -> dict``: as ``settings show --json`` prints them.
- ``stock_settings_update(*, account, changes, user=None, actor="", now=None) -> StockSettings``:
  validates as T1 and raises ``SettingsInvalid(field, message)`` changing nothing; records
  every change (as R3); a change of what the desired quantity depends on marks the
  account's offers due (T5).
- ``offers_mark_due(*, account, reason, skus=None, now=None) -> int``: the channel's own marks.
- ``offers_due_from_amazon_orders(*, account, now=None) -> int``: the Amazon orders seen since
  the last call mark their SKUs' offers due (T4.4, T5).
- ``offer_learn(*, account, sku, product_type, channels, status, amazon_quantity, now=None) -> Offer``:
  what T3's read (or a notification) told of one listing.
- ``offers_not_found(*, account, skus) -> int``: SKUs that T3's search asked for and Amazon did not list.
- ``offer_quantity_seen(*, account, sku, quantity, now=None) -> Offer``: Amazon's own quantity from a
  ``LISTINGS_ITEM_MFN_QUANTITY_CHANGE`` notification (T12).
- ``offers_drift_mark(*, account, now=None, grace=...) -> int``: offers whose Amazon quantity stayed
  off the last accepted push for more than a sync cycle are in ``drift`` and due (T12).
- ``offer_push_record(*, account, push, method, outcome, ...) -> StockPush``: a push and Amazon's answer.
- ``offers_settle(*, account, settled) -> int``: due offers found unchanged (T5) or left alone (T4.2).
- ``offer_retry(*, offer) -> None``: the merchant's Retry of an offer in error (T11).
- ``stock_pushes_cleanup(*, now=None, days=90) -> int``: the push records past their 90 days (T13).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import Account, AmazonOrder, OrderSettings, SettingsChange
from saleschannel.channel.stock.models import MAX_HANDLING_DAYS, MAX_QUANTITY, Offer, StockPush, StockSettings
from saleschannel.channel.stock.selectors import PlannedPush, Settled
from saleschannel.commerce.catalog.models import Product

FIELDS = ("push_stock", "out_of_stock_threshold", "max_listed_quantity", "unmanaged_quantity", "handling_time")
# Fields that may be empty (None): no cap, leave Amazon's handling time.
OPTIONAL = {"max_listed_quantity", "handling_time"}
MINIMUM = {"out_of_stock_threshold": 0, "max_listed_quantity": 1, "unmanaged_quantity": 0, "handling_time": 1}
MAXIMUM = {"out_of_stock_threshold": MAX_QUANTITY, "max_listed_quantity": MAX_QUANTITY,
           "unmanaged_quantity": MAX_QUANTITY, "handling_time": MAX_HANDLING_DAYS}
EMPTY_WORDS = ("", "none", "null")
SETTING_CHANGED = "setting changed"


def stock_settings_get(*, account: Account) -> StockSettings:
    """The account's stock settings (created with the defaults if missing)."""
    found, _ = StockSettings.objects.get_or_create(account=account)
    return found


def stock_settings_as_dict(settings: StockSettings) -> dict[str, str | int | None]:
    """The settings as ``settings show --json`` adds them (``None`` where empty)."""
    return {name: getattr(settings, name) for name in FIELDS}


def _number(name: str, value: object) -> int | None:
    """A whole number within the field's bounds, or None where the field may be empty."""
    if value is None or (isinstance(value, str) and value.strip().lower() in EMPTY_WORDS):
        if name in OPTIONAL:
            return None
        raise SettingsInvalid(name, "is required: a whole number")
    if isinstance(value, bool):
        raise SettingsInvalid(name, f"{value!s} refused: must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20:
        number = int(value.strip())
    else:
        raise SettingsInvalid(name, f"{str(value)[:64]} refused: must be a whole number")
    low, high = MINIMUM[name], MAXIMUM[name]
    if not low <= number <= high:
        raise SettingsInvalid(name, f"{str(number)[:64]} refused: must be from {low} to {high}")
    return number


def _proposed(current: StockSettings, changes: Mapping[str, object]) -> dict[str, Any]:
    """The settings as they would be after ``changes``; refuses unknown fields and values."""
    values: dict[str, Any] = {name: getattr(current, name) for name in FIELDS}
    for name, value in changes.items():
        if name not in FIELDS:
            raise SettingsInvalid(str(name)[:64], "is not a stock setting")
        if name == "push_stock":
            if value not in StockSettings.PushStock.values:
                choices = ", ".join(StockSettings.PushStock.values)
                raise SettingsInvalid(name, f"{str(value)[:64]} refused: must be one of {choices}")
            values[name] = value
        else:
            values[name] = _number(name, value)
    return values


def _validate(current: StockSettings, values: dict[str, Any], import_enabled: bool) -> None:
    """T1: push can be enabled only while Import Amazon Orders is enabled."""
    enabling = values["push_stock"] == StockSettings.PushStock.ENABLED and not current.push_enabled
    if enabling and not import_enabled:
        raise SettingsInvalid("push_stock", "cannot be enabled while Import Amazon Orders is disabled: "
                                            "Amazon's sales would not lower the store's stock")


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def stock_settings_update(
    *,
    account: Account,
    changes: Mapping[str, object],
    user: Any = None,
    actor: str = "",
    now: dt.datetime | None = None,
) -> StockSettings:
    """Change the account's stock settings as one save; refused input changes nothing (T1).

    ``changes`` maps names of ``FIELDS`` to new values (numbers as int or digits; ``None``,
    ``""`` or ``"none"`` empties an optional field). ``user`` or ``actor`` says who (as R3).
    """
    now = now or timezone.now()
    with transaction.atomic():
        stock_settings_get(account=account)
        current = StockSettings.objects.select_for_update().get(account=account)
        import_enabled = OrderSettings.objects.filter(
            account=account, import_orders=OrderSettings.ImportOrders.ENABLED).exists()
        values = _proposed(current, changes)
        _validate(current, values, import_enabled)
        changed = [name for name in FIELDS if _shown(values[name]) != _shown(getattr(current, name))]
        if not changed:
            return current
        who = actor or (user.get_username() if user is not None and hasattr(user, "get_username") else "")
        SettingsChange.objects.bulk_create([
            SettingsChange(account=account, user=user if getattr(user, "pk", None) else None, actor=who,
                           changed_at=now, field=name, old_value=_shown(getattr(current, name)),
                           new_value=_shown(values[name]))
            for name in changed
        ])
        for name in changed:
            setattr(current, name, values[name])
        current.save()
        offers_mark_due(account=account, reason=SETTING_CHANGED, now=now)
    return current


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


SETTLED_STATES = (Offer.State.IN_SYNC.value, Offer.State.SENT.value, Offer.State.LEFT_ALONE.value)
OPEN_STATUSES = ("Pending", "PendingAvailability", "Unshipped", "PartiallyShipped")


def offers_due_from_amazon_orders(*, account: Account, now: dt.datetime | None = None) -> int:
    """T5: each Amazon order seen since the last call marks its SKUs' offers due ("Amazon order … seen"),
    since it may start or end an in-flight guard (T4.4). Returns the number of offers marked."""
    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        stock_settings_get(account=account)
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
        settings.orders_seen_until = latest
        settings.save(update_fields=["orders_seen_until", "updated_at"])
    return marked


MFN_CODE = "DEFAULT"  # T3: the merchant-fulfilled element of fulfillment_availability
RETRIED = "retried by the merchant"


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
    return Offer.objects.filter(account=account, sku__in=sorted(set(skus))).update(
        mfn=False, afn=False, amazon_quantity=None, state=Offer.State.NOT_ON_AMAZON)


DRIFT_GRACE = dt.timedelta(minutes=5)  # [D] "more than a sync cycle": the default cycle and then some


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


def offer_push_record(
    *,
    account: Account,
    push: PlannedPush,
    method: str,
    outcome: str,
    feed_id: str = "",
    submission_id: str = "",
    issues: Iterable[Mapping[str, Any]] = (),
    now: dt.datetime | None = None,
) -> StockPush:
    """Record a push of ``push`` and Amazon's answer (T11, T13); one row per (offer, version, mark).

    ``outcome``: ``pending`` (sent, e.g. inside a feed), ``accepted``, ``invalid`` (or an issue of
    severity ERROR), ``retry`` (429, 5xx, time-out: stays due). Sending the same version again
    adds an attempt to its row rather than a second push.
    """
    if outcome not in StockPush.Outcome.values or method not in StockPush.Method.values:
        raise ValueError(f"outcome {outcome!r} or method {method!r} unknown")
    now = now or timezone.now()
    issue_list = [dict(issue) for issue in issues]
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=push.offer_id, account=account)
        record = _push_row(account=account, offer=offer, push=push, method=method, now=now)
        record.outcome, record.feed_id, record.submission_id = outcome, feed_id[:100], submission_id[:100]
        record.issues, record.answered_at = issue_list, None if outcome == StockPush.Outcome.PENDING else now
        record.save()
        record.refresh_from_db(fields=["attempts"])
        _offer_follow(offer, push, outcome, issue_list, now)
    return record


def _push_row(*, account: Account, offer: Offer, push: PlannedPush, method: str, now: dt.datetime) -> StockPush:
    """The push's row, created once: the unique (offer, version, mark) is the guard."""
    existing = StockPush.objects.filter(offer=offer, stock_version=push.stock_version,
                                        generation=push.generation).first()
    if existing is not None:
        existing.attempts = F("attempts") + 1
        existing.method, existing.sent_at = method, now
        return existing
    try:
        with transaction.atomic():
            return StockPush.objects.create(
                account=account, offer=offer, sku=offer.sku, reason=push.reason[:255], quantity=push.quantity,
                handling_time=push.handling_time, stock_version=push.stock_version, generation=push.generation,
                method=method, sent_at=now,
            )
    except IntegrityError:  # another sender recorded it meanwhile (the offer row lock makes this rare)
        return StockPush.objects.get(offer=offer, stock_version=push.stock_version, generation=push.generation)


def _offer_follow(offer: Offer, push: PlannedPush, outcome: str, issues: list[dict[str, Any]],
                  now: dt.datetime) -> None:
    """The offer after a push's answer: the version it settles, its state, its error (T11)."""
    if outcome == StockPush.Outcome.RETRY:
        return  # still due: the next cycle sends the newest version
    offer.seen_stock_version = max(offer.seen_stock_version, push.stock_version)
    offer.seen_generation = max(offer.seen_generation, push.generation)
    offer.desired_quantity, offer.last_push_reason = push.quantity, push.reason[:255]
    if offer.due_generation <= offer.seen_generation:
        offer.due_since, offer.due_reason = None, ""
    if outcome == StockPush.Outcome.INVALID:
        first = issues[0] if issues else {}
        offer.state = Offer.State.ERROR
        offer.error_code = str(first.get("code", ""))[:100]
        offer.error_message = str(first.get("message", ""))
        offer.error_attributes = sorted({str(a) for i in issues for a in i.get("attributeNames", []) or []})
    elif outcome == StockPush.Outcome.PENDING:
        offer.state = Offer.State.SENT
    else:
        if offer.last_accepted_version is None or push.stock_version >= offer.last_accepted_version:
            offer.last_accepted_quantity, offer.last_accepted_version = push.quantity, push.stock_version
            offer.last_accepted_at = now
        offer.state = Offer.State.IN_SYNC
        offer.error_code, offer.error_message, offer.error_attributes = "", "", []
    offer.save()


def offers_settle(*, account: Account, settled: Iterable[Settled]) -> int:
    """Record that due offers were looked at and need no push (T5: desired equals what Amazon last
    accepted; T4.2: left alone), so they are not looked at again until something moves."""
    count = 0
    for item in settled:
        with transaction.atomic():
            offer = Offer.objects.select_for_update().filter(pk=item.offer_id, account=account).first()
            if offer is None:
                continue
            offer.seen_stock_version = max(offer.seen_stock_version, item.stock_version)
            offer.seen_generation = max(offer.seen_generation, item.generation)
            offer.desired_quantity = item.desired
            if offer.due_generation <= offer.seen_generation:
                offer.due_since, offer.due_reason = None, ""
            if item.left_alone:
                offer.state = Offer.State.LEFT_ALONE
            elif offer.state != Offer.State.ERROR:
                offer.state = Offer.State.IN_SYNC
            offer.save()
            count += 1
    return count


def offer_retry(*, offer: Offer) -> None:
    """T11: the merchant's Retry of an offer in error makes it due again, whatever its quantity."""
    with transaction.atomic():
        offers_mark_due(account=offer.account, reason=RETRIED, skus=[offer.sku])
        Offer.objects.filter(pk=offer.pk, state=Offer.State.ERROR).update(state=Offer.State.DUE)


PUSH_RETENTION_DAYS = 90  # T13: "kept 90 days like the sync log"
CLEANUP_BATCH = 1000


def stock_pushes_cleanup(*, now: dt.datetime | None = None, days: int = PUSH_RETENTION_DAYS) -> int:
    """Delete the push records sent more than ``days`` ago, a batch per transaction; returns the count.
    The offers keep their last accepted quantity and the reason of their last push."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(StockPush.objects.filter(sent_at__lt=cutoff).order_by("pk")
                         .values_list("pk", flat=True)[:CLEANUP_BATCH])
            if not batch:
                return deleted
            deleted += StockPush.objects.filter(pk__in=batch).delete()[0]
