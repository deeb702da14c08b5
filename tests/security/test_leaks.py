"""C28: a seeded secret and a seeded buyer's email are hunted in every log line, every error
page, and every page or API answer that is not about that buyer's order.

Credentials are encrypted at rest: the raw database columns hold no secret.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse

from saleschannel.spapi.clock import FakeClock
from tests.channel.factories import order_dict
from tests.security.conftest import BUYER_EMAIL, BUYER_NAME, CLIENT_SECRET, REFRESH_TOKEN
from tests.security.routes import URLCONF, fill, project_routes

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
SANDBOX = "https://sandbox.test"
#: Pages about the seeded buyer's order (or lists of orders with a buyer column): the email may be there.
ABOUT_THE_ORDER = {"dashboard:amazon_order", "dashboard:order", "dashboard:amazon_orders", "dashboard:orders",
                   "api-amazon-order", "api-order", "api-amazon-orders", "api-orders"}


def seeded_sync(caplog):
    """An account with seeded credentials synced through a faulty sandbox: one good order of the
    seeded buyer, one unreadable one carrying the same email, one waiting for stock."""
    from saleschannel.channel.models import AmazonOrder
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_update
    from saleschannel.channel.services.sync.client import account_client
    from saleschannel.channel.services.sync.scheduler import SyncPolicy
    from saleschannel.spapi.sandbox import MARKETPLACES, SandboxApp
    from saleschannel.workers.leases import account_sync_leased
    from tests.channel.conftest import make_product

    clock = FakeClock(T0)
    make_product("SKU-A", 10)
    account, _ = account_connect(
        name="us-main", seller_id="A1SANDBOXSELLER", marketplace_id="ATVPDKIKX0DER", region="na",
        refresh_token=REFRESH_TOKEN, client_id="amzn1.application-oa2-client.sec", client_secret=CLIENT_SECRET,
        endpoint=SANDBOX, token_url=f"{SANDBOX}/auth/o2/token", now=T0 - dt.timedelta(hours=1),
    )
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=T0 - dt.timedelta(hours=1))
    app = SandboxApp(clock=clock, marketplaces=[MARKETPLACES[0]], rate_limits=False, seed=5, fault_rate=0.6,
                     stall_seconds=0)
    good = order_dict(items=[("SKU-A", 1)], created=T0 - dt.timedelta(minutes=30), updated=T0,
                      buyer_email=BUYER_EMAIL, buyer_name=BUYER_NAME)
    bad = order_dict(items=[("SKU-A", 1)], created=T0 - dt.timedelta(minutes=20), updated=T0,
                     buyer_email=BUYER_EMAIL, buyer_name=BUYER_NAME)
    bad["orderItems"][0]["quantityOrdered"] = "two"
    short = order_dict(items=[("SKU-NONE", 1)], created=T0 - dt.timedelta(minutes=10), updated=T0,
                       buyer_email=BUYER_EMAIL, buyer_name=BUYER_NAME)
    for body in (good, bad, short):
        app.put_order(body)
    client = account_client(account=account, clock=clock, transport=app.transport())
    policy = SyncPolicy(lease_ttl=3600.0, lease_wait=0.0)
    outcomes = []
    for n in range(40):
        clock.advance(60)
        outcomes.append(account_sync_leased(account=account, client=client, clock=clock, policy=policy).outcome)
        if n >= 10 and outcomes[-1] == "ok":
            break
    client.close()
    app.close()
    assert app.calls()["faults"] > 0 and outcomes[-1] == "ok", outcomes  # the faults happened, then it got through
    states = dict(AmazonOrder.objects.values_list("amazon_order_id", "import_state"))
    assert states == {good["orderId"]: "imported", bad["orderId"]: "error", short["orderId"]: "imported"}, states
    return account, AmazonOrder.objects.get(amazon_order_id=good["orderId"])


class WorldOf:
    def __init__(self, account, amazon_order):
        from saleschannel.channel.outbox.services import amazon_order_ship

        self.account, self.amazon_order = account, amazon_order
        self.store_order = amazon_order.store_order
        _, self.message = amazon_order_ship(order=self.store_order, carrier_code="UPS", tracking_number="1Z1")
        self.sku = "SKU-A"
        from saleschannel.channel.services.syncrequests import sync_request_create

        self.sync_request, _ = sync_request_create(account=account)


def test_no_secret_or_buyer_email_in_any_log_line_or_page(store_defaults, caplog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    caplog.set_level(logging.DEBUG)
    account, order = seeded_sync(caplog)
    world = WorldOf(account, order)
    from tests.dashboard.factories import user_make

    manager = Client()
    manager.force_login(user_make("maria", manager=True))
    superuser = Client()
    superuser.force_login(user_make("root", manager=True))
    from django.contrib.auth.models import User

    User.objects.filter(username="root").update(is_superuser=True)

    answers: dict[str, bytes] = {}
    for route in project_routes():
        if route.name in ("dashboard:logout",):
            continue
        path = fill(route, world)
        response = manager.get(path)
        assert response.status_code < 500 or route.name == "connect:start", path  # 503: no app credentials
        answers[f"{route.name} {path}"] = response.content
    # Error pages: unknown rows, refused filters, a refused notification that carries the email.
    for path in ("/amazon-orders/999999/", "/orders/999999/", "/api/v1/amazon-orders/999999",
                 "/amazon-orders/?total_min=abc", "/api/v1/amazon-orders?limit=-1"):
        answers[f"error {path}"] = manager.get(path).content
    refused = Client().post("/notifications/amazon/order-change", data=json.dumps({"buyerEmail": BUYER_EMAIL}),
                            content_type="application/json", HTTP_X_API_KEY=CLIENT_SECRET)
    answers["error notification"] = refused.content
    for model in admin.site._registry:
        label = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        answers[f"admin {label}"] = superuser.get(reverse(f"{label}_changelist")).content
        first = model.objects.order_by("pk").first()
        if first is not None:
            answers[f"admin {label} change"] = superuser.get(reverse(f"{label}_change", args=[first.pk])).content

    secrets = [REFRESH_TOKEN, CLIENT_SECRET]
    for where, content in answers.items():
        text = content.decode(errors="replace")
        for secret in secrets:
            assert secret not in text, f"a secret on {where}"
        about_the_order = where.split(" ")[0] in ABOUT_THE_ORDER or "sales_order" in where
        if not about_the_order:
            assert BUYER_EMAIL not in text, f"the buyer's email on {where}"
    # The control: the email is on the pages about the order, so the hunt above reads real pages.
    assert any(BUYER_EMAIL in c.decode() for w, c in answers.items() if w.startswith("dashboard:order "))

    logged = list(caplog.records)
    assert len(logged) > 20 and any("sync" in r.name or "spapi" in r.name for r in logged)
    for record in logged:
        line = record.getMessage() + repr(record.args) + (record.exc_text or "")
        for value in (*secrets, BUYER_EMAIL, BUYER_NAME):
            assert value not in line, f"{value[:12]}... in a log line of {record.name}: {line[:200]}"


def test_credentials_are_encrypted_at_rest_in_every_column(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM channel_account")
        rows = cursor.fetchall()
    raw = repr(rows)
    assert world.account.refresh_token == REFRESH_TOKEN  # readable through the model...
    for secret in (REFRESH_TOKEN, CLIENT_SECRET, REFRESH_TOKEN.split("|")[1]):
        assert secret not in raw  # ...and nowhere in the table as stored
    assert "amzn1.application-oa2-client.sec" not in raw
    assert REFRESH_TOKEN not in repr(world.account) and REFRESH_TOKEN not in str(world.account)
