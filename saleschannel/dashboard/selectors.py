"""Read queries of the dashboard and the REST API (one place, so both show the same)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from saleschannel.channel import rules
from saleschannel.channel.models import Account, AmazonOrder
from saleschannel.dashboard.forms import day_start
from saleschannel.dashboard.pagination import PAGE_SIZE, Page, keyset_page, keyset_page_merged

# The rules' own code for "waiting: out of stock" (R9), counted by the banner with the errors.
OUT_OF_STOCK = rules.Reason.OUT_OF_STOCK.value


def problem_filter() -> Q:
    """Orders that cannot be imported: errors, and waiting orders that are out of stock."""
    return Q(import_state=AmazonOrder.ImportState.ERROR) | Q(
        import_state=AmazonOrder.ImportState.WAITING, reason_code=OUT_OF_STOCK
    )


def problem_order_count(*, account: Account | None = None) -> int:
    """How many Amazon orders the banner "N Amazon orders cannot be imported" counts."""
    qs = AmazonOrder.objects.filter(problem_filter())
    if account is not None:
        qs = qs.filter(account=account)
    return qs.count()


def accounts_list() -> list[Account]:
    return list(Account.objects.select_related("order_settings").order_by("name", "pk"))


def account_choices() -> list[tuple[int, str]]:
    return list(Account.objects.order_by("name", "pk").values_list("pk", "name"))


def import_state_counts(*, account: Account | None = None) -> dict[int, dict[str, int]]:
    """Per account id: the number of Amazon orders in each import state (one query)."""
    qs = AmazonOrder.objects.all()
    if account is not None:
        qs = qs.filter(account=account)
    counts: dict[int, dict[str, int]] = {}
    for account_id, state, n in qs.values_list("account_id", "import_state").annotate(n=Count("pk")).order_by():
        counts.setdefault(account_id, dict.fromkeys(AmazonOrder.ImportState.values, 0))[state] = n
    return counts


def problem_counts() -> dict[int, int]:
    """Per account id: the orders that cannot be imported (one query)."""
    rows = AmazonOrder.objects.filter(problem_filter()).values_list("account_id").annotate(n=Count("pk")).order_by()
    return dict(rows)


@dataclass(frozen=True)
class Revenue:
    currency: str
    last_7_days: Decimal
    last_30_days: Decimal
    orders_30_days: int


def revenue(*, account: Account, now: dt.datetime | None = None) -> list[Revenue]:
    """Amazon order totals purchased in the last 7 and 30 days, per currency, canceled orders left out."""
    now = now or timezone.now()
    since_7, since_30 = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    rows = (
        AmazonOrder.objects.filter(account=account, purchase_date__gte=since_30, order_total__isnull=False)
        .exclude(status="Canceled")
        .values("currency")
        .annotate(
            d7=Sum("order_total", filter=Q(purchase_date__gte=since_7)),
            d30=Sum("order_total"),
            n=Count("pk"),
        )
        .order_by("currency")
    )
    return [
        Revenue(
            currency=r["currency"] or "",
            last_7_days=r["d7"] or Decimal(0),
            last_30_days=r["d30"] or Decimal(0),
            orders_30_days=r["n"],
        )
        for r in rows
    ]


def imported_per_day(
    *, account: Account, tz: dt.tzinfo, days: int = 30, today: dt.date | None = None
) -> list[tuple[dt.date, int]]:
    """Store orders created for the account's Amazon orders per day (merchant's days), oldest first.

    Read along the store orders' creation-time index: a month of orders, whatever the table's size.
    """
    from saleschannel.channel.services.storeorder import EXTERNAL_CHANNEL
    from saleschannel.commerce.sales.models import Order

    today = today or timezone.localdate(timezone=tz)
    first = today - dt.timedelta(days=days - 1)
    rows = (
        Order.objects.filter(
            created_at__gte=day_start(first, tz),
            external_channel=EXTERNAL_CHANNEL,
            external_account=str(account.pk),
        )
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = Counter(dict(rows))
    return [(first + dt.timedelta(days=i), found.get(first + dt.timedelta(days=i), 0)) for i in range(days)]


def amazon_orders_filtered(filters: dict[str, Any], *, tz: dt.tzinfo, account: Account | None = None) -> QuerySet[AmazonOrder]:
    """The Amazon orders the (cleaned) filters of ``AmazonOrderFilterForm`` ask for, not yet ordered."""
    qs = AmazonOrder.objects.select_related("account")
    if account is not None:
        qs = qs.filter(account=account)
    elif filters.get("account"):
        qs = qs.filter(account_id=filters["account"])
    number = (filters.get("number") or "").strip()
    if number:
        # Two indexed look-ups rather than an OR across tables.
        ids = list(AmazonOrder.objects.filter(amazon_order_id=number).values_list("pk", flat=True)[:100])
        ids += list(AmazonOrder.objects.filter(store_order_number=number).values_list("pk", flat=True)[:100])
        qs = qs.filter(pk__in=ids)
    for field in ("status", "channel", "import_state"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("purchased_from"):
        qs = qs.filter(purchase_date__gte=day_start(filters["purchased_from"], tz))
    if filters.get("purchased_to") and filters["purchased_to"] < dt.date.max:
        qs = qs.filter(purchase_date__lt=day_start(filters["purchased_to"] + dt.timedelta(days=1), tz))
    if filters.get("buyer"):
        qs = qs.filter(buyer_name__icontains=filters["buyer"].strip())
    if filters.get("total_min") is not None:
        qs = qs.filter(order_total__gte=filters["total_min"])
    if filters.get("total_max") is not None:
        qs = qs.filter(order_total__lte=filters["total_max"])
    if filters.get("prime"):
        qs = qs.filter(is_prime=filters["prime"] == "yes")
    if filters.get("business"):
        qs = qs.filter(is_business=filters["business"] == "yes")
    if filters.get("problem"):
        qs = qs.filter(problem_filter())
    return qs


def amazon_order_get(*, pk: int) -> AmazonOrder | None:
    return (
        AmazonOrder.objects.select_related("account", "account__order_settings", "store_order")
        .prefetch_related("status_events", "import_attempts")
        .filter(pk=pk)
        .first()
    )


def store_choices() -> list[tuple[str, str]]:
    """The store views, by code, as options of "Import Amazon Orders Into Store"."""
    from saleschannel.commerce.stores.models import Store

    return [(code, f"{name} ({website})") for code, name, website in Store.objects.order_by("pk").values_list("code", "name", "website__name")]


def processing_status_choices() -> list[tuple[str, str]]:
    """The order statuses of the states ``new`` and ``processing``, custom ones included (C19)."""
    from saleschannel.commerce.sales.models import OrderStatus

    rows = OrderStatus.objects.filter(state__in=["new", "processing"]).order_by("state", "label").values_list("code", "label")
    return list(rows)


def settings_history(*, account: Account, limit: int = 20) -> list[Any]:
    return list(account.settings_changes.select_related("user").order_by("-changed_at", "-pk")[:limit])


def account_by_pk(pk: int) -> Account | None:
    return Account.objects.filter(pk=pk).first()


def amazon_orders_page(filters: dict[str, Any], *, tz: dt.tzinfo, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """A page of the filtered Amazon orders, newest purchase first.

    Read account by account, each along its (account, purchase date) index, and merged:
    a page costs the same at the first row and at the millionth, whatever the filters.
    """
    qs = amazon_orders_filtered(filters, tz=tz)
    if filters.get("account") or (filters.get("number") or "").strip():
        return keyset_page(qs, field="purchase_date", cursor=cursor, size=size)
    accounts = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    if not accounts:
        return Page(rows=[], next_cursor=None, is_first=True)
    parts = [qs.filter(account_id=pk) for pk in accounts]
    return keyset_page_merged(parts, field="purchase_date", cursor=cursor, size=size)
