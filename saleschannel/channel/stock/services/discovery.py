"""Offers learned from Amazon, never guessed (T3), and Amazon's own quantity read with them (T12).

- ``offers_discover(*, account, client, skus=None, clock=None) -> Discovery``: ``searchListingsItems``
  by the store's SKUs (or ``skus``), 20 a call, with summaries, fulfillment availability and
  product types; each listing found is learned (``offer_learn``: its product type, channels,
  status and Amazon's quantity, drift marked when it differs from the last accepted push), each
  SKU asked for and not listed is ``not_on_amazon``.
- ``offers_discovery_due(*, account, now) -> bool``: the daily read is due (T3, T12).

Run when push is enabled, daily, for a product added or a SKU changed (``skus``), and by
``listings discover``; an offer found in drift is pushed by the next cycle (C48).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from saleschannel.channel.models import Account
from saleschannel.channel.services.sync.client import account_client
from saleschannel.channel.stock.models import StockSettings
from saleschannel.channel.stock.selectors import discovery_batches
from saleschannel.channel.stock.services.offers import offer_learn, offers_not_found
from saleschannel.spapi.client import SpApiClient
from saleschannel.spapi.clock import Clock, SystemClock
from saleschannel.spapi.listings import ListingsItem

DISCOVERY_EVERY = dt.timedelta(days=1)  # T3: daily


@dataclass
class Discovery:
    """What one discovery found: listings learned (MFN among them), SKUs Amazon does not list."""

    found: int = 0
    mfn: int = 0
    not_found: int = 0
    unreadable: int = 0
    api_calls: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def offers_discover(
    *, account: Account, client: SpApiClient | None = None, skus: list[str] | None = None,
    clock: Clock | None = None,
) -> Discovery:
    """T3's search for the account's marketplace; see the module. Each listing is learned in its
    own transaction: a discovery cut short keeps what it learned. Without a ``client``, the
    account's own (on the shared buckets) is made for the call."""
    clock = clock or SystemClock()
    if client is None:
        with account_client(account=account, clock=clock) as own:
            return _discover(account, own, skus, clock)
    return _discover(account, client, skus, clock)


def _discover(account: Account, client: SpApiClient, skus: list[str] | None, clock: Clock) -> Discovery:
    calls_before = client.stats.snapshot().total_calls
    found = Discovery()
    marketplace = account.marketplace_id
    for batch in discovery_batches(skus=skus):
        listed: set[str] = set()
        unreadable: set[str] = set()
        for page in client.search_listings_items(batch, marketplace_ids=[marketplace]):
            for item in page.items:
                if not isinstance(item, ListingsItem):
                    found.unreadable += 1
                    if item.sku:
                        unreadable.add(item.sku)  # not known either way: left as it was
                    continue
                summary = item.summary(marketplace)
                offer = offer_learn(
                    account=account, sku=item.sku, product_type=item.product_type(marketplace) or "",
                    channels={fa.channel_code: fa.quantity for fa in item.fulfillment_availability},
                    status=summary.status if summary is not None else (), now=clock.now(),
                )
                listed.add(item.sku)
                found.found += 1
                found.mfn += int(offer.mfn)
        missing = [sku for sku in batch if sku not in listed and sku not in unreadable]
        found.not_found += offers_not_found(account=account, skus=missing)
    found.api_calls = client.stats.snapshot().total_calls - calls_before
    if skus is None:
        StockSettings.objects.get_or_create(account=account)
        StockSettings.objects.filter(account=account).update(offers_read_at=clock.now())
    return found


def offers_discovery_due(*, account: Account, now: dt.datetime) -> bool:
    """The daily read of every store SKU (T3, T12) is due: never made, or made a day ago."""
    read_at = StockSettings.objects.filter(account=account).values_list("offers_read_at", flat=True).first()
    return read_at is None or now - read_at >= DISCOVERY_EVERY
