"""Realistic data for the dashboard, API and browser tests, written straight through the models.

Only the rows a page reads are made here; imports themselves go through the channel's
services in the tests that exercise them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, User
from django.utils import timezone

from saleschannel.channel.models import Account, AmazonOrder, AmazonStatusEvent, ImportAttempt, OrderSettings

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def user_make(username: str, *, manager: bool = False, staff: bool = True) -> User:
    """A dashboard user as ``saleschannel user add`` makes one."""
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=staff)
    if manager:
        group, _ = Group.objects.get_or_create(name="managers")
        user.groups.add(group)
    return user


def account_make(name: str = "EU shop", *, seller_id: str = "A1SELLER", marketplace_id: str = "A1PA6795UKMFR9",
                 integrated_at: dt.datetime | None = None, **settings: Any) -> Account:
    account = Account.objects.create(
        name=name,
        seller_id=seller_id,
        marketplace_id=marketplace_id,
        region="eu",
        integrated_at=integrated_at or timezone.now() - dt.timedelta(days=60),
    )
    account.refresh_token = "Atzr|secret-refresh-token-value"
    account.client_secret = "amzn1.oa2-cs.v1.super-secret"
    account.save()
    OrderSettings.objects.create(account=account, **settings)
    return account


def raw_order(order_id: str, *, status: str = "UNSHIPPED", channel: str = "MERCHANT", total: str = "59.90",
              currency: str = "EUR", buyer: str = "Jane Doe", sku: str = "SKU-1", qty: int = 1,
              created: dt.datetime | None = None, updated: dt.datetime | None = None,
              shipping: str = "0.00", title: str = "") -> dict[str, Any]:
    created = created or timezone.now()
    stamp = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Amazon's times have whole seconds: round up, so the snapshot is not older than "now".
    updated = (updated or timezone.now()) + dt.timedelta(seconds=1)
    updated_stamp = updated.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    items_total = Decimal(total) - Decimal(shipping)
    unit_price = (items_total / qty).quantize(Decimal("0.01"))
    buyer_part = {"buyerName": buyer, "buyerEmail": f"{order_id}@marketplace.amazon.de"} if buyer else {}
    address = {"name": buyer or "", "addressLine1": "Hauptstr. 1", "city": "Berlin", "postalCode": "10115",
               "countryCode": "DE", "phone": "+49 30 1234567"}
    if channel == "AMAZON":
        address = {"city": "Berlin", "postalCode": "10115", "countryCode": "DE"}
    return {
        "orderId": order_id,
        "createdTime": stamp,
        "lastUpdatedTime": updated_stamp,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1PA6795UKMFR9", "marketplaceName": "Amazon.de"},
        "buyer": buyer_part,
        "recipient": {"deliveryAddress": address},
        "proceeds": {
            "grandTotal": {"amount": total, "currencyCode": currency},
            "breakdowns": [
                {"type": "ITEM", "subtotal": {"amount": str(items_total), "currencyCode": currency}},
                {"type": "SHIPPING", "subtotal": {"amount": shipping, "currencyCode": currency}},
            ],
        },
        "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": channel, "fulfillmentServiceLevel": "STANDARD"},
        "orderItems": [
            {
                "orderItemId": f"{next(_seq):014d}",
                "quantityOrdered": qty,
                "product": {
                    "sellerSku": sku,
                    "title": title or f"Product {sku}",
                    "asin": "B0TEST0001",
                    "price": {"unitPrice": {"amount": str(unit_price), "currencyCode": currency}},
                },
            }
        ],
    }


STATUS_WORDS = {
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
}


def amazon_order_make(account: Account, *, order_id: str | None = None, status: str = "UNSHIPPED",
                      fba: bool = False, total: str = "59.90", currency: str = "EUR", buyer: str = "Jane Doe",
                      import_state: str = "waiting", reason: str = "", reason_code: str = "",
                      purchased: dt.datetime | None = None, sku: str = "SKU-1", qty: int = 1,
                      **fields: Any) -> AmazonOrder:
    order_id = order_id or f"302-{next(_seq):07d}-{next(_seq):07d}"
    purchased = purchased or timezone.now() - dt.timedelta(hours=1)
    raw = raw_order(order_id, status=status, channel="AMAZON" if fba else "MERCHANT", total=total,
                    currency=currency, buyer="" if fba else buyer, created=purchased, sku=sku, qty=qty)
    now = timezone.now()
    order = AmazonOrder.objects.create(
        account=account,
        amazon_order_id=order_id,
        purchase_date=purchased,
        last_updated_time=purchased,
        status=STATUS_WORDS.get(status, status),
        channel="FBA" if fba else "FBM",
        currency=currency,
        order_total=Decimal(total),
        buyer_name="" if fba else buyer,
        raw=raw,
        first_seen_at=now,
        last_seen_at=now,
        import_state=import_state,
        reason=reason,
        reason_code=reason_code,
        **fields,
    )
    AmazonStatusEvent.objects.create(amazon_order=order, status=order.status, seen_at=now, changed_at=purchased)
    return order


def attempt_make(order: AmazonOrder, *, ok: bool, error: str = "", number: str = "") -> ImportAttempt:
    return ImportAttempt.objects.create(
        amazon_order=order, attempted_at=timezone.now(), succeeded=ok, error=error, store_order_number=number
    )


def amazon_order_receive(account: Account, raw: dict[str, Any], *, evaluate: bool = True) -> AmazonOrder:
    """An Amazon order as the sync takes it: recorded by the channel, then evaluated by its rules."""
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.spapi.models import read_order

    order, _ = amazon_order_record(account=account, order=read_order(raw), seen_at=timezone.now())
    if evaluate:
        amazon_order_evaluate(amazon_order=order)
    order.refresh_from_db()
    return order


def import_enable(account: Account, *, store: str = "default", **more: str) -> None:
    from saleschannel.channel.services.settings import order_settings_update

    order_settings_update(account=account, changes={"import_orders": "enabled", "store": store, **more})


def store_order_make(store: Any, *, number: str, email: str = "kim@example.com", lastname: str = "Kim") -> Any:
    """A plain store order (not from Amazon), through the store core's service."""
    from saleschannel.commerce.sales.services import order_create
    from saleschannel.commerce.sales.types import OrderLine, OrderTotals

    return order_create(
        store=store, number=number, lines=[OrderLine(sku="SKU-1", name="Blue mug", qty=Decimal(1), price=Decimal("9.90"))],
        email=email, firstname="Lee", lastname=lastname, currency="EUR",
        totals=OrderTotals(subtotal=Decimal("9.90"), grand_total=Decimal("9.90")), payment_method="checkmo",
    )
