"""Fixtures of the shipment tests: an account importing into the default store, the Amazon sandbox
in-process, and a client factory that talks to it through a transport recording every
``confirmShipment`` (package reference and answer)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest

from saleschannel.spapi.clock import FakeClock
from tests.channel import conftest as channel_fixtures
from tests.channel.conftest import make_product, reservations_of
from tests.channel.factories import T0, order_dict

# The channel's fixtures: a connected account, and the same with import enabled.
account = channel_fixtures.account
enable = channel_fixtures.enable
enabled_account = channel_fixtures.enabled_account
__all__ = ["make_product", "reservations_of"]

SANDBOX = "https://sandbox.test"
SHIP_TIME = T0 + dt.timedelta(days=3)


class Recorder(httpx.BaseTransport):
    """Passes requests to the sandbox and notes each confirmShipment: (packageReferenceId, answer)."""

    def __init__(self, inner: httpx.BaseTransport, refuse_carriers: frozenset[str] = frozenset()) -> None:
        self.inner = inner
        self.confirms: list[tuple[str, int | str]] = []
        # Amazon checks carrier codes against its list; the sandbox does not, so this plays that part.
        self.refuse_carriers = refuse_carriers

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/shipmentConfirmation"):
            return self.inner.handle_request(request)
        detail = json.loads(request.read())["packageDetail"]
        ref = detail["packageReferenceId"]
        if detail["carrierCode"] in self.refuse_carriers:
            self.confirms.append((ref, 400))
            body = {"errors": [{"code": "InvalidInput", "message": "Invalid carrierCode",
                                "details": f"{detail['carrierCode']} is not a carrier code"}]}
            return httpx.Response(400, json=body, headers={"x-amzn-RequestId": "req-400"})
        try:
            response = self.inner.handle_request(request)
        except httpx.TimeoutException:
            self.confirms.append((ref, "timeout"))
            raise
        self.confirms.append((ref, response.status_code))
        return response

    def accepted(self, ref: str) -> int:
        return sum(1 for r, status in self.confirms if r == ref and status == 204)

    def tried(self, ref: str) -> int:
        return sum(1 for r, _ in self.confirms if r == ref)


@dataclass
class Amazon:
    """The sandbox, its clock, and a client factory for ``outbox_send_due``."""

    app: Any
    clock: FakeClock
    recorder: Recorder
    made: list[Any] = field(default_factory=list)

    def factory(self, seller: Any, clock: Any) -> Any:
        from saleschannel.spapi import Credentials, NoLimiter, RetryPolicy, SpApiClient

        client = SpApiClient(
            seller_id=seller.seller_id,
            credentials=Credentials(client_id="app-id", client_secret="app-secret",
                                    refresh_token=seller.refresh_token),
            endpoint=SANDBOX, token_url=f"{SANDBOX}/auth/o2/token", limiter=NoLimiter(), clock=self.clock,
            transport=self.recorder, retry=RetryPolicy(max_attempts=1),
        )
        self.made.append(client)
        return client

    def order(self, order_id: str) -> dict[str, Any]:
        found = self.app.store.get(order_id)
        assert found is not None
        return dict(found)

    def packages(self, order_id: str, ref: str | None = None) -> list[dict[str, Any]]:
        packages = self.order(order_id).get("packages", [])
        return [p for p in packages if ref is None or p["packageReferenceId"] == ref]


def make_amazon(**options: Any) -> Amazon:
    from saleschannel.spapi.sandbox.app import SandboxApp

    clock = FakeClock(SHIP_TIME)
    app = SandboxApp(clock=clock, rate_limits=options.pop("rate_limits", False), **options)
    return Amazon(app=app, clock=clock, recorder=Recorder(app.transport()))


@pytest.fixture
def amazon() -> Amazon:
    return make_amazon()


@pytest.fixture
def stocked(store_defaults):
    """Products SKU-A (10 on the default source) and SKU-B (5)."""
    make_product("SKU-A", 10)
    make_product("SKU-B", 5)


@pytest.fixture
def imported(enabled_account, stocked, amazon):
    """Import an FBM order (in the sandbox and in the store); returns (amazon order, store order)."""
    from saleschannel.spapi.models import read_order
    from tests.channel.conftest import record_and_evaluate

    def _import(items=(("SKU-A", 2), ("SKU-B", 1)), status="Unshipped", channel="FBM", order_id=None):
        body = order_dict(items=list(items), status=status, channel=channel, order_id=order_id)
        amazon.app.put_order(body)
        stored, outcome = record_and_evaluate(enabled_account, read_order(body))
        assert outcome.imported, outcome
        return stored, stored.store_order

    return _import


def source_qty(sku: str, source: str = "default") -> Decimal:
    from saleschannel.commerce.inventory.models import SourceItem

    return SourceItem.objects.get(source__code=source, sku=sku).quantity


def salable(sku: str) -> Decimal:
    from saleschannel.commerce.inventory.selectors import salable_quantity, stock_for_store
    from saleschannel.commerce.stores.selectors import store_default

    return salable_quantity(stock=stock_for_store(store=store_default()), sku=sku)


def snapshot_take(seller: Any, amazon: Amazon, order_id: str, *, at: dt.datetime | None = None) -> Any:
    """Read the order from the sandbox as the sync would, record it, and apply the rules (the importer
    reconciles a newer snapshot of an imported order itself)."""
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.spapi.models import read_order

    stored, changed = amazon_order_record(account=seller, order=read_order(amazon.order(order_id)),
                                          seen_at=at or amazon.clock.now())
    if changed:
        amazon_order_evaluate(amazon_order=stored)
    stored.refresh_from_db()
    return stored


def ledger(order: Any) -> dict[str, Decimal]:
    """Every SKU the order's reservations touched, with their sum (0 once balanced)."""
    from saleschannel.commerce.inventory.models import Reservation

    sums: dict[str, Decimal] = {}
    for sku, qty in Reservation.objects.filter(object_type="order", object_id=str(order.pk)).values_list("sku", "quantity"):
        sums[sku] = sums.get(sku, Decimal(0)) + qty
    return sums
