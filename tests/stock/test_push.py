"""The pusher against the sandbox (T3, T5, T6, T7, T8, T11, T16, C50): what reaches Amazon, in
which order, and what is recorded of Amazon's answers. Only Amazon (the sandbox) and the clock
are faked."""

from __future__ import annotations

import gzip
import json
from urllib.parse import unquote

import httpx
import pytest

from saleschannel.channel.models import Account, RateBucket
from saleschannel.channel.stock.models import Offer, StockPush
from saleschannel.channel.stock.ratelimit import APPLICATION_BUCKET, InstallationRateLimiter
from saleschannel.channel.stock.selectors import offers_list
from saleschannel.channel.stock.services import offers_push, stock_settings_update
from saleschannel.commerce.catalog.services import product_update
from saleschannel.commerce.inventory.services import source_item_set
from saleschannel.spapi.sandbox import DEFAULT_SKUS
from saleschannel.spapi.sandbox.feeds_api import DOCUMENT_ROUTE
from tests.sync import conftest as sync_fixtures
from tests.sync.conftest import US

pytestmark = pytest.mark.django_db
# The sync engine's fixtures: the fake clock, the sandbox in-process, a connected account.
clock = sync_fixtures.clock
sandbox = sync_fixtures.sandbox
sync_account = sync_fixtures.account
STALL, BAD_JSON = -1, -2  # faults of the recording transport beside HTTP statuses
MUG, CAP, TEE = "DEMO-MUG-WHITE", "DEMO-CAP-RED", "DEMO-TSHIRT-S"


@pytest.fixture
def account(sync_account, clock):
    stock_settings_update(account=sync_account, changes={"push_stock": "enabled"}, now=clock.now())
    return sync_account


class Recording(httpx.BaseTransport):
    """The sandbox's transport, noting each patch (SKU, quantity) in the order sent, and able to
    answer some calls with a fault first."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner = inner
        self.patches: list[tuple[str, int]] = []
        self.faults: list[int] = []  # statuses (or STALL, BAD_JSON) to answer the next patches with, in order
        self.feed_status: str | None = None  # rewrite getFeed's processingStatus
        self.fail_paths: dict[str, int] = {}  # the last path segment (e.g. "documents") -> 500s to answer
        self.report: dict | None = None  # the processing report to download instead of the sandbox's

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.fail_paths.get(path.rstrip("/").rsplit("/", 1)[-1], 0) > 0:
            self.fail_paths[path.rstrip("/").rsplit("/", 1)[-1]] -= 1
            return httpx.Response(500, json={"errors": [{"code": "InternalFailure", "message": "HTTP 500"}]})
        if self.report is not None and request.method == "GET" and path.startswith(DOCUMENT_ROUTE):
            return httpx.Response(200, content=gzip.compress(json.dumps(self.report).encode()))
        if request.method == "PATCH" and "/listings/" in request.url.path:
            if self.faults:
                status = self.faults.pop(0)
                if status == STALL:
                    raise httpx.ReadTimeout("no answer before the timeout", request=request)
                if status == BAD_JSON:
                    return httpx.Response(200, headers={"content-type": "application/json"}, content=b'{"sku": ')
                return httpx.Response(status, json={"errors": [{"code": "Fault", "message": f"HTTP {status}"}]})
            body = json.loads(request.read())
            sku = httpx.URL(str(request.url)).path.rsplit("/", 1)[1]
            self.patches.append((unquote(sku),
                                 body["patches"][0]["value"][0]["quantity"]))
        answer = self.inner.handle_request(request)
        if self.feed_status and request.method == "GET" and "/feeds/2021-06-30/feeds/" in request.url.path:
            answer.read()
            data = json.loads(answer.content)
            data["processingStatus"] = self.feed_status
            data.pop("resultFeedDocumentId", None)
            return httpx.Response(answer.status_code, headers={"content-type": "application/json"}, json=data)
        return answer


@pytest.fixture
def wire(sandbox, clock):
    from saleschannel.channel.services.sync.client import account_client

    recording = Recording(sandbox.transport())
    made = []

    def client_of(account):
        client = account_client(account=account, clock=clock, transport=recording)
        made.append(client)
        return client

    recording.client_of = client_of  # type: ignore[attr-defined]
    yield recording
    for client in made:
        client.close()


def list_on_amazon(sandbox, quantities, **extra):
    for sku, quantity in quantities.items():
        sandbox.put_listing(sku=sku, marketplace_id=US, product_type="PRODUCT",
                            channels={"DEFAULT": quantity, **extra}, status=["BUYABLE"])


def on_amazon(sandbox, sku):
    return sandbox.listings.get(US, sku).quantity()


def row_state(account, sku):
    return next(row.state for row in offers_list(account=account) if row.sku == sku)


def default_element(sandbox, sku):
    listing = sandbox.listings.get(US, sku)
    return next(e for e in listing.attributes["fulfillment_availability"] if e["fulfillment_channel_code"] == "DEFAULT")


def cycle(account, wire, clock, **options):
    return offers_push(account=Account.objects.get(pk=account.pk), client=wire.client_of(account), clock=clock,
                       **options)


def test_t3_t7_t11_a_cycle_learns_the_offers_and_patches_amazon_to_the_desired_quantity(account, sandbox, wire,
                                                                                        clock):
    list_on_amazon(sandbox, {MUG: 50, CAP: 1000})
    source_item_set(source=None, sku=MUG, quantity=7)
    done = cycle(account, wire, clock)
    assert on_amazon(sandbox, MUG) == 7 and on_amazon(sandbox, CAP) == 1000
    assert done.pushed == 1 and done.errors == 0 and done.api_calls >= 2
    assert wire.patches == [(MUG, 7)]  # CAP already shows what the store has: not pushed (T5)
    offer = Offer.objects.get(account=account, sku=MUG)
    assert (offer.state, offer.last_accepted_quantity, offer.product_type) == ("in_sync", 7, "PRODUCT")
    push = StockPush.objects.get(offer=offer)
    assert (push.outcome, push.method, push.quantity) == ("accepted", "patch", 7)
    assert Offer.objects.get(account=account, sku=TEE).state == "not_on_amazon"  # searched, not listed (T3)
    again = cycle(account, wire, clock)
    assert (again.pushed, again.api_calls) == (0, 0) and wire.patches == [(MUG, 7)]


def test_t7_the_patch_merges_and_keeps_the_handling_time_amazon_holds(account, sandbox, wire, clock):
    list_on_amazon(sandbox, {MUG: 50})
    default_element(sandbox, MUG)["lead_time_to_ship_max_days"] = 4
    source_item_set(source=None, sku=MUG, quantity=3)
    cycle(account, wire, clock)
    element = default_element(sandbox, MUG)
    assert element["quantity"] == 3 and element["lead_time_to_ship_max_days"] == 4


def test_t7_handling_time_set_is_sent_with_the_quantity(account, sandbox, wire, clock):
    list_on_amazon(sandbox, {MUG: 50})
    stock_settings_update(account=account, changes={"handling_time": 2}, now=clock.now())
    source_item_set(source=None, sku=MUG, quantity=3)
    cycle(account, wire, clock)
    element = default_element(sandbox, MUG)
    assert element["quantity"] == 3 and element["lead_time_to_ship_max_days"] == 2


def test_t6_zeros_first_then_decreases_then_increases(account, sandbox, wire, clock):
    list_on_amazon(sandbox, {MUG: 50, CAP: 50, TEE: 50})
    cycle(account, wire, clock)  # learn, and push the store's 1000 everywhere
    wire.patches.clear()
    clock.advance(10)
    source_item_set(source=None, sku=TEE, quantity=2000)  # increase, changed first
    clock.advance(1)
    source_item_set(source=None, sku=CAP, quantity=10)  # decrease
    clock.advance(1)
    source_item_set(source=None, sku=MUG, quantity=0)  # to zero, changed last
    cycle(account, wire, clock)
    assert wire.patches == [(MUG, 0), (CAP, 10), (TEE, 2000)]


def test_t11_an_invalid_patch_puts_the_offer_in_error_and_it_is_not_sent_again(account, sandbox, wire,
                                                                               clock):
    list_on_amazon(sandbox, {MUG: 50})
    cycle(account, wire, clock)
    Offer.objects.filter(sku=MUG).update(product_type="NOT_ITS_TYPE")
    source_item_set(source=None, sku=MUG, quantity=5)
    done = cycle(account, wire, clock)
    offer = Offer.objects.get(sku=MUG)
    assert done.errors == 1 and offer.state == "error" and offer.error_code and offer.error_message
    assert StockPush.objects.get(offer=offer, quantity=5).outcome == "invalid"
    wire.patches.clear()
    cycle(account, wire, clock)
    assert wire.patches == []  # T11: not again until retried or its quantity changes
    Offer.objects.filter(sku=MUG).update(product_type="PRODUCT")
    source_item_set(source=None, sku=MUG, quantity=6)
    cycle(account, wire, clock)
    assert wire.patches == [(MUG, 6)] and on_amazon(sandbox, MUG) == 6


@pytest.mark.parametrize("status", [429, 500, 503, STALL, BAD_JSON])
def test_t11_throttled_or_failing_patches_stay_due_and_the_newest_version_goes(account, sandbox, wire, clock,
                                                                               status):
    list_on_amazon(sandbox, {MUG: 50})
    cycle(account, wire, clock)
    source_item_set(source=None, sku=MUG, quantity=5)
    wire.faults = [status] * 20  # more than the client's retries
    done = cycle(account, wire, clock)
    assert done.pushed == 0 and on_amazon(sandbox, MUG) == 1000
    assert row_state(account, MUG) == "due"
    assert StockPush.objects.get(sku=MUG, quantity=5).outcome == "retry"
    wire.faults = []
    source_item_set(source=None, sku=MUG, quantity=4)  # a newer version meanwhile
    wire.patches.clear()
    cycle(account, wire, clock)
    assert wire.patches == [(MUG, 4)] and on_amazon(sandbox, MUG) == 4  # never the older 5 after it
    assert Offer.objects.get(sku=MUG).last_accepted_quantity == 4


def test_t11_a_refused_token_parks_the_account_and_nothing_is_pushed(account, sandbox, wire, clock):
    list_on_amazon(sandbox, {MUG: 50})
    cycle(account, wire, clock)
    source_item_set(source=None, sku=MUG, quantity=5)
    wire.faults = [403, 403]  # the client fetches a new token once
    cycle(account, wire, clock)
    account.refresh_from_db()
    assert account.credentials_state == Account.CredentialsState.NEEDS_RECONNECTING
    wire.patches.clear()
    done = cycle(account, wire, clock)
    assert wire.patches == [] and "reconnect" in done.paused and row_state(account, MUG) == "due"


def test_t16_push_disabled_stops_pushes_and_keeps_them_due(account, sandbox, wire, clock, monkeypatch):
    list_on_amazon(sandbox, {MUG: 50})
    cycle(account, wire, clock)
    source_item_set(source=None, sku=MUG, quantity=5)
    stock_settings_update(account=account, changes={"push_stock": "disabled"}, now=clock.now())
    wire.patches.clear()
    assert cycle(account, wire, clock).paused and wire.patches == []
    stock_settings_update(account=account, changes={"push_stock": "enabled"}, now=clock.now())
    monkeypatch.setenv("SALESCHANNEL_PUSH_PAUSED", "1")
    assert cycle(account, wire, clock).paused and wire.patches == []
    monkeypatch.delenv("SALESCHANNEL_PUSH_PAUSED")
    cycle(account, wire, clock)
    assert wire.patches == [(MUG, 5)]


def test_t4_a_disabled_product_goes_to_zero(account, sandbox, wire, clock):
    list_on_amazon(sandbox, {MUG: 50})
    cycle(account, wire, clock)
    product_update(sku=MUG, enabled=False)
    cycle(account, wire, clock)
    assert on_amazon(sandbox, MUG) == 0


def test_t3_an_fba_only_listing_is_never_patched(account, sandbox, wire, clock):
    sandbox.put_listing(sku=MUG, marketplace_id=US, product_type="PRODUCT", channels={"AMAZON_NA": 5},
                        status=["BUYABLE"])
    cycle(account, wire, clock)
    assert wire.patches == [] and Offer.objects.get(sku=MUG).state == "fba"


def test_t8_c50_patches_take_the_sellers_and_the_applications_tokens(account, sandbox, wire, clock):
    list_on_amazon(sandbox, dict.fromkeys(DEFAULT_SKUS[:3], 50))
    cycle(account, wire, clock)
    seller = RateBucket.objects.get(seller_id=account.seller_id, operation="patchListingsItem")
    application = RateBucket.objects.get(seller_id=APPLICATION_BUCKET, operation="patchListingsItem")
    # The sandbox without its limits advertises its own rate: it replaced the seller's 5 (T8), not C50's 500.
    assert seller.rate_from_amazon and seller.burst == 5.0
    assert (application.rate, application.burst, application.rate_from_amazon) == (500.0, 100.0, False)
    assert application.tokens == pytest.approx(100 - 3, abs=0.01)


def test_t8_amazons_advertised_rate_replaces_the_sellers_default_not_the_applications(clock):
    limiter = InstallationRateLimiter(clock=clock)
    limiter.acquire("A1", "patchListingsItem")
    limiter.update_rate("A1", "patchListingsItem", 10.0)
    assert RateBucket.objects.get(seller_id="A1", operation="patchListingsItem").rate == 10.0
    assert RateBucket.objects.get(seller_id=APPLICATION_BUCKET, operation="patchListingsItem").rate == 500.0
    limiter.acquire("A1", "getOrder")
    assert not RateBucket.objects.filter(seller_id=APPLICATION_BUCKET, operation="getOrder").exists()


def test_t8_a_burst_beyond_the_plan_waits_for_its_tokens(clock):
    limiter = InstallationRateLimiter(clock=clock)
    waited = [limiter.acquire("A1", "patchListingsItem") for _ in range(10)]
    assert waited[:5] == [0.0] * 5 and all(w > 0 for w in waited[5:])
    assert sum(waited) == pytest.approx(1.0, abs=0.15)  # 5 more tokens at 5 a second


def test_t16_the_django_setting_pauses_the_installation(account, sandbox, wire, clock, settings):
    list_on_amazon(sandbox, {MUG: 50})
    settings.SALESCHANNEL_PUSH_PAUSED = True
    done = cycle(account, wire, clock)
    assert "SALESCHANNEL_PUSH_PAUSED" in done.paused and wire.patches == []
    settings.SALESCHANNEL_PUSH_PAUSED = False
    cycle(account, wire, clock)
    assert wire.patches == [(MUG, 1000)]


def test_t8_in_steady_state_no_push_meets_a_429(account, clock):
    from saleschannel.channel.services.sync.client import account_client

    limited = sync_fixtures.sandbox_app(clock, rate_limits=True)
    try:
        list_on_amazon(limited, dict.fromkeys(DEFAULT_SKUS, 50))
        with account_client(account=account, clock=clock, transport=limited.transport()) as client:
            for round_ in range(3):  # three bursts of every offer, more than the burst of 5 each
                for sku in DEFAULT_SKUS:
                    source_item_set(source=None, sku=sku, quantity=100 + round_)
                done = offers_push(account=Account.objects.get(pk=account.pk), client=client, clock=clock)
                assert done.pushed == len(DEFAULT_SKUS)
        calls = limited.calls()
        assert calls["operations"]["patchListingsItem"] == 3 * len(DEFAULT_SKUS) and calls["throttled"] == 0
        assert all(on_amazon(limited, sku) == 102 for sku in DEFAULT_SKUS)
    finally:
        limited.close()
