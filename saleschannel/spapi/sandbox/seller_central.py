"""The listings side of ``SandboxApp``: what a seller does in Seller Central (store a
listing, type a quantity), what a buyer does (order now), the processing of feeds, and
the notifications of ``DEFAULT`` quantities and finished feeds. A mixin, so that the app's state and lock stay one."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from saleschannel.spapi.clock import Clock
from saleschannel.spapi.sandbox.feeds import FeedsBook
from saleschannel.spapi.sandbox.generator import OrderGenerator, Plan
from saleschannel.spapi.sandbox.lifecycle import apply_status
from saleschannel.spapi.sandbox.listings import MFN, Listing, ListingsBook
from saleschannel.spapi.sandbox.notify import (
    Notifier,
    eventbridge_event,
    feed_processing_finished_notification,
    mfn_quantity_change_notification,
)
from saleschannel.spapi.sandbox.store import OrderStore

#: How many next orders the generator may pass over to find one its listings can fill.
FILL_ATTEMPTS = 50


class SellerCentral:
    clock: Clock
    seller_id: str
    generator: OrderGenerator
    store: OrderStore
    notifier: Notifier | None
    listings: ListingsBook
    feeds: FeedsBook
    _lock: threading.RLock
    _plans: dict[str, Plan]

    def _notify(self, order: dict[str, Any], *, change: str = ..., reason: str = ...) -> None:
        raise NotImplementedError

    def list_catalog(self, count: int, quantity: int) -> None:
        """``--listings N``: the first N SKUs of the generator's catalog, FBM, in the first marketplace."""
        for sku in self.generator.skus[:count]:
            self.put_listing(
                sku=sku,
                marketplace_id=self.generator.marketplaces[0].marketplace_id,
                product_type="PRODUCT",
                channels={MFN: quantity},
                status=["BUYABLE", "DISCOVERABLE"],
            )

    def put_listing(
        self, *, sku: str, marketplace_id: str, product_type: str, channels: dict[str, int], status: list[str]
    ) -> dict[str, Any]:
        with self._lock:
            listing = self.listings.put(
                sku=sku,
                marketplace_id=marketplace_id,
                product_type=product_type,
                channels=channels,
                status=status,
                now=self.clock.now(),
            )
            return listing.control_view()

    def listings_view(self) -> list[dict[str, Any]]:
        with self._lock:
            return [listing.control_view() for listing in self.listings.all()]

    def type_quantity(
        self, marketplace_id: str, sku: str, channel: str, quantity: int
    ) -> dict[str, Any] | None:
        with self._lock:
            listing = self.listings.get(marketplace_id, sku)
            if listing is None:
                return None
            self.listings.type_quantity(listing, channel, quantity, self.clock.now())
            return listing.control_view()

    def sell(self, marketplace_id: str, sku: str, quantity: int, *, fba: bool) -> dict[str, Any] | None:
        """A buyer orders now, if the listing shows enough: an UNSHIPPED order is stored."""
        with self._lock:
            listing = self.listings.get(marketplace_id, sku)
            channel = (
                MFN
                if not fba
                else next((c for c in (listing.channels() if listing else {}) if c != MFN), None)
            )
            if listing is None or channel is None or (listing.quantity(channel) or 0) < quantity:
                return None
            now = self.clock.now()
            order, plan = self.generator.sale(
                now, marketplace_id=marketplace_id, sku=sku, quantity=quantity, fba=fba
            )
            self._plans[plan.order_id] = plan
            apply_status(order, "UNSHIPPED", now, plan, self.generator_rng())
            stored = self.store.put(order, now)
            self.listings.order_changed(stored, now)
            self._notify(stored)
            return stored

    def generator_rng(self) -> Any:
        raise NotImplementedError

    def next_fillable(self, now: dt.datetime) -> tuple[dict[str, Any], Plan] | None:
        """The generator's next order that its listings can fill: Amazon never sells more
        than a listing shows. None when none of the next few can be filled."""
        for _ in range(FILL_ATTEMPTS):
            order, plan = self.generator.next_order(now)
            if order["orderId"] not in self.store and self.listings.can_fill(order):
                return order, plan
        return None

    def _notify_quantity(self, listing: Listing) -> None:
        if self.notifier is None:
            return
        now = self.clock.now()
        notification = mfn_quantity_change_notification(
            seller_id=self.seller_id, sku=listing.sku, quantity=max(0, listing.quantity() or 0), now=now
        )
        self.notifier.publish(eventbridge_event(notification, now))

    def process_feeds(self) -> None:
        """Process the feeds whose delay is over: the document's check outside the lock."""
        with self._lock:
            due = self.feeds.claim_due(self.clock.now())
        for feed, body in due:
            payload, problem = self.feeds.check(feed, body)
            with self._lock:
                self.feeds.finish(feed, payload, problem, self.clock.now())
                self.notify_feed_finished(feed.as_json())

    def notify_feed_finished(self, feed: dict[str, Any]) -> None:
        """FEED_PROCESSING_FINISHED for a feed that ended (``feed`` as ``getFeed`` shows it)."""
        if self.notifier is None:
            return
        now = self.clock.now()
        notification = feed_processing_finished_notification(seller_id=self.seller_id, feed=feed, now=now)
        self.notifier.publish(eventbridge_event(notification, now))
