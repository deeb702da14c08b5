"""The store and the Amazon account a benchmark imports into (Django must be set up).

Mixed stock, as a merchant has it: most SKUs plentiful, one out of stock (its FBM
orders wait, R9), one scarce (it runs out part-way), one that does not manage stock,
and the generator's unmatched SKUs get placeholder products (R10).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bench.orders import MARKETPLACE, T0
from saleschannel.spapi.sandbox.generator import DEFAULT_SKUS

OUT_OF_STOCK = "DEMO-CAP-RED"
SCARCE = "DEMO-WATER-BOTTLE"
NOT_MANAGED = "DEMO-NOTEBOOK-A5"
PLENTY = 10_000_000


def stock_plan(orders: int, *, mixed: bool = True) -> dict[str, Any]:
    """The quantity of each SKU (``None``: Do Not Manage); all plentiful unless ``mixed``."""
    plan: dict[str, Any] = dict.fromkeys(DEFAULT_SKUS, PLENTY)
    if not mixed:
        return plan
    plan[OUT_OF_STOCK] = 0
    plan[SCARCE] = max(1, orders // 40)
    plan[NOT_MANAGED] = None
    return plan


def catalog_setup(orders: int, *, mixed: bool = True) -> dict[str, Any]:
    """The default store and the catalog with its stock; returns the stock plan."""
    from saleschannel.commerce.catalog.services import product_create
    from saleschannel.commerce.stores.services import stores_init

    stores_init()
    plan = stock_plan(orders, mixed=mixed)
    for sku, qty in plan.items():
        product_create(sku=sku, name=sku.replace("-", " ").title(), price=Decimal("19.99"),
                       manage_stock=qty is not None, qty=qty)
    return plan


def account_setup(*, n: int = 1, endpoint: str = "", token_url: str = "", now: dt.datetime = T0) -> Any:
    """A connected account with import enabled from ``now`` (the store's defaults otherwise)."""
    from saleschannel.channel.services.accounts import account_connect
    from saleschannel.channel.services.settings import order_settings_update

    account, _ = account_connect(
        name=f"bench-{n}", seller_id=f"A{n:03d}BENCHSELLER", marketplace_id=MARKETPLACE.marketplace_id,
        region="na", refresh_token=f"Atzr|bench-refresh-{n}", client_id="amzn1.application-oa2-client.bench",
        client_secret="bench-client-secret", endpoint=endpoint, token_url=token_url, now=now,
    )
    order_settings_update(account=account, changes={"import_orders": "enabled"}, actor="benchmark", now=now)
    return account


def import_states(account: Any = None) -> dict[str, int]:
    """How many Amazon orders are in each import state."""
    from django.db.models import Count

    from saleschannel.channel.models import AmazonOrder

    rows = AmazonOrder.objects.all()
    if account is not None:
        rows = rows.filter(account=account)
    return {row["import_state"]: row["n"] for row in rows.values("import_state").annotate(n=Count("pk"))}
