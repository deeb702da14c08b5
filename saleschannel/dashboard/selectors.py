"""Read queries of the dashboard and the REST API (one place, so both show the same)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from saleschannel.channel import rules
from saleschannel.channel.models import Account, AmazonOrder
from saleschannel.channel.selectors import cannot_import_filter
from saleschannel.channel.services.imports.storeorder import EXTERNAL_CHANNEL
from saleschannel.commerce.inventory.models import Reservation, Stock
from saleschannel.commerce.inventory.selectors import stock_figures
from saleschannel.commerce.sales.models import Order, OrderStatus
from saleschannel.commerce.stores.models import Store
from saleschannel.dashboard.forms import day_start
from saleschannel.dashboard.pagination import PAGE_SIZE, Page, keyset_page, keyset_page_merged

# The rules' own code for "waiting: out of stock" (R9), counted by the banner with the errors.
OUT_OF_STOCK = rules.Reason.OUT_OF_STOCK.value


problem_filter = cannot_import_filter  # the channel's one definition of "cannot be imported"


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


#: Import states counted exactly on every page: the ones a merchant acts on (R9, R16).
EXACT_STATES = (AmazonOrder.ImportState.WAITING, AmazonOrder.ImportState.ERROR)
#: Above this many orders, an imported or not importable count is recounted at most every
#: ``RECOUNT_S`` seconds (per process) rather than on each page: counting 10^6 rows costs
#: more than the page may. Below it the count is exact and fresh.
COUNT_CAP = 10_000
RECOUNT_S = 300


class _RowCount(Subquery):
    """``(SELECT COUNT(*) FROM (<subquery>))``: with a sliced subquery, counts no further than its slice."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def _state_count(state: str, *, cap: int | None = None) -> _RowCount:
    """The outer account's orders in ``state``, read from its (account, state) index range alone."""
    rows = AmazonOrder.objects.filter(account_id=OuterRef("pk"), import_state=state).order_by().values("import_state")
    return _RowCount(rows[: cap + 1] if cap is not None else rows)


def import_state_counts(*, account: Account | None = None) -> dict[int, dict[str, int]]:
    """Per account id: the number of Amazon orders in each import state (one query).

    Waiting and error are always exact. Imported and not importable are exact up to
    ``COUNT_CAP``; above it they come from a count at most ``RECOUNT_S`` seconds old
    (``large_state_count``), so that no page load counts a million rows.
    """
    accounts = Account.objects.filter(pk=account.pk) if account is not None else Account.objects.all()
    states = AmazonOrder.ImportState.values
    rows = accounts.order_by("pk").annotate(
        **{f"n_{state}": _state_count(state, cap=None if state in EXACT_STATES else COUNT_CAP) for state in states}
    ).values_list("pk", *(f"n_{state}" for state in states))
    counts: dict[int, dict[str, int]] = {}
    for pk, *found in rows:
        counts[pk] = dict(zip(states, found, strict=True))
        for state in states:
            if state not in EXACT_STATES and counts[pk][state] > COUNT_CAP:
                counts[pk][state] = large_state_count(account_id=pk, state=state)
    return counts


def large_state_count(*, account_id: int, state: str) -> int:
    """The account's orders in ``state``, counted at most every ``RECOUNT_S`` seconds (per process)."""
    key = f"saleschannel:import-state-count:{account_id}:{state}"
    remembered = cache.get(key)
    if remembered is None:
        remembered = AmazonOrder.objects.filter(account_id=account_id, import_state=state).count()
        cache.set(key, remembered, RECOUNT_S)
    return int(remembered)


def problem_counts() -> dict[int, int]:
    """Per account id: the orders that cannot be imported (one query)."""
    rows = AmazonOrder.objects.filter(problem_filter()).values_list("account_id").annotate(n=Count("account_id")).order_by()
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


#: At most this many orders per number column answer a search by the start of a number.
PREFIX_LIMIT = 100


@dataclass(frozen=True)
class NumberMatches:
    ids: list[int]
    prefix: bool = False  # no order has that exact number: these are orders whose number starts with it
    more: bool = False  # a prefix search that found more than ``PREFIX_LIMIT`` orders in a column


def number_matches(number: str) -> NumberMatches:
    """The orders an order number search finds: the exact Amazon or store order number, else its start.

    Every look-up is one range of an index (``channel_ao_order_id_pat``, ``channel_ao_store_number``):
    exact first; only when no order has exactly that number, the orders whose Amazon or store
    order number starts with it, at most ``PREFIX_LIMIT`` of each. Never a substring search:
    that would read every row.
    """
    ids = _number_ids("amazon_order_id", "exact", number, 100) + _number_ids("store_order_number", "exact", number, 100)
    if ids:
        return NumberMatches(ids=ids)
    by_amazon = _number_ids("amazon_order_id", "startswith", number, PREFIX_LIMIT + 1)
    by_store = _number_ids("store_order_number", "startswith", number, PREFIX_LIMIT + 1)
    more = len(by_amazon) > PREFIX_LIMIT or len(by_store) > PREFIX_LIMIT
    return NumberMatches(ids=by_amazon[:PREFIX_LIMIT] + by_store[:PREFIX_LIMIT], prefix=True, more=more)


def _number_ids(column: str, lookup: str, number: str, limit: int) -> list[int]:
    """Up to ``limit`` orders whose ``column`` matches ``number`` (``exact`` or ``startswith``):
    one range of that column's index; an unset store order number never matches."""
    rows = AmazonOrder.objects.filter(**{f"{column}__{lookup}": number})
    if column == "store_order_number":
        rows = rows.exclude(store_order_number="")
    return list(rows.order_by().values_list("pk", flat=True)[:limit])


def amazon_orders_filtered(
    filters: dict[str, Any], *, tz: dt.tzinfo, account: Account | None = None, matches: NumberMatches | None = None
) -> QuerySet[AmazonOrder]:
    """The Amazon orders the (cleaned) filters of ``AmazonOrderFilterForm`` ask for, not yet ordered.

    ``matches``: the orders the number search found, when the caller has looked them up already.
    """
    # The lists never show the snapshot: leaving it out saves reading and decoding its JSON per row.
    qs = AmazonOrder.objects.select_related("account").defer("raw")
    if account is not None:
        qs = qs.filter(account=account)
    elif filters.get("account"):
        qs = qs.filter(account_id=filters["account"])
    number = (filters.get("number") or "").strip()
    if number:
        qs = qs.filter(pk__in=(matches or number_matches(number)).ids)
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

    return [(code, f"{name} ({website})") for code, name, website in Store.objects.order_by("pk").values_list("code", "name", "website__name")]


def processing_status_choices() -> list[tuple[str, str]]:
    """The order statuses of the states ``new`` and ``processing``, custom ones included (C19)."""

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
    A number search reads at most a few hundred orders found by its index look-ups.
    """
    number = (filters.get("number") or "").strip()
    matches = number_matches(number) if number else None
    qs = amazon_orders_filtered(filters, tz=tz, matches=matches)
    if matches is not None:
        page = keyset_page(qs, field="purchase_date", cursor=cursor, size=size)
        return replace(page, notes=_number_notes(number, matches)) if matches.prefix and matches.ids else page
    if filters.get("account"):
        return keyset_page(qs, field="purchase_date", cursor=cursor, size=size)
    accounts = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    if not accounts:
        return Page(rows=[], next_cursor=None, is_first=True)
    parts = [qs.filter(account_id=pk) for pk in accounts]
    return keyset_page_merged(parts, field="purchase_date", cursor=cursor, size=size)


def _number_notes(number: str, matches: NumberMatches) -> tuple[str, ...]:
    note = f"No order has the number “{number}”: these are the orders whose Amazon or store order number starts with it."
    if matches.more:
        note += f" More than {PREFIX_LIMIT} do: only {PREFIX_LIMIT} of them are shown; type more of the number."
    return (note,)


#: Most reservation rows a product page lists.
LEDGER_ROWS = 50


def display_zone() -> zoneinfo.ZoneInfo:
    """The merchant's time zone (C20); dates are stored in UTC and shown in it."""
    name = getattr(settings, "SALESCHANNEL_DISPLAY_TIME_ZONE", "UTC") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def store_orders_filtered(filters: dict[str, str]) -> QuerySet[Order]:
    """Store orders the filters ask for, with what the list shows joined in (one query per page)."""
    qs = Order.objects.select_related("status", "store")
    number = (filters.get("number") or "").strip()
    if number:
        qs = qs.filter(Q(number=number) | Q(external_id=number))
    if filters.get("status"):
        qs = qs.filter(status_id=filters["status"])
    if filters.get("channel") == "amazon":
        qs = qs.filter(external_channel="amazon")
    elif filters.get("channel") == "store":
        qs = qs.filter(external_channel__isnull=True)
    customer = (filters.get("customer") or "").strip()
    if customer:
        qs = qs.filter(
            Q(customer_email__icontains=customer)
            | Q(customer_lastname__icontains=customer)
            | Q(customer_firstname__icontains=customer)
        )
    return qs


def stock_detail(*, sku: str) -> list[dict[str, Any]]:
    """Per stock: quantity, reserved, salable, and the open reservations by the object holding them."""
    found = []
    for stock in Stock.objects.order_by("pk"):
        figure = stock_figures(stock=stock, skus=[sku])[sku]
        holders = (
            Reservation.objects.filter(stock=stock, sku=sku)
            .values("object_type", "object_id")
            .annotate(held=Sum("quantity"))
            .filter(held__lt=0)
            .order_by("object_type", "object_id")[:LEDGER_ROWS]
        )
        found.append({"stock": stock, "figure": figure, "holders": list(holders)})
    return found
