"""Creating the store order of an Amazon order (R10–R15, R20, R21), inside the caller's transaction.

``store_order_create(*, amazon_order, parsed, decision, settings) -> Order`` raises on any
failure; the caller's transaction then rolls everything back (R16).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from saleschannel.channel import rules
from saleschannel.channel.errors import ImportFailed
from saleschannel.channel.models import AmazonOrder, OrderSettings
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.commerce.catalog.services import product_create
from saleschannel.commerce.customers.services import customer_get_or_create
from saleschannel.commerce.inventory.selectors import open_reservations, stock_for_store
from saleschannel.commerce.inventory.services import (
    reservation_append,
    reservation_compensate,
    reservation_transfer,
)
from saleschannel.commerce.sales.models import Order as StoreOrder
from saleschannel.commerce.sales.services import (
    AddressData,
    ExternalRef,
    OrderLine,
    OrderTotals,
    order_create,
    order_number_next,
    order_transition,
)
from saleschannel.spapi.models import Money, Order

ZERO = Decimal(0)
PENDING_OBJECT_TYPE = "amazon_order"  # an Amazon order's pending reservation (R12)
ORDER_OBJECT_TYPE = "order"
EXTERNAL_CHANNEL = "amazon"


def split_name(full: str) -> tuple[str, str]:
    """First and last name from Amazon's one name field ("Amazon Customer" when absent, R11)."""
    words = (full or "").split()
    if not words:
        words = rules.PLACEHOLDER_BUYER_NAME.split()
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


def line_name(title: str | None, sku: str) -> str:
    """Amazon's title as the store takes a name: control characters become spaces and blanks are
    squeezed; the SKU when nothing is left. (An absurdly long title is still refused by the store.)"""
    cleaned = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in title or "")
    return " ".join(cleaned.split()) or sku


def _amount(money: Money | None) -> Decimal:
    return ZERO if money is None else money.amount


def _address(parsed: Order) -> AddressData | None:
    """R11: the address parts Amazon gave (withheld parts stay empty)."""
    address = parsed.shipping_address
    if address is None:
        return None
    first, last = split_name(address.name or (parsed.buyer.name if parsed.buyer else "") or "")
    return AddressData(
        firstname=first, lastname=last, company=address.company_name or "", street="\n".join(address.lines),
        city=address.city or address.municipality or "", region=address.state_or_region or "",
        postcode=address.postal_code or "", country_id=address.country_code or "", telephone=address.phone or "",
    )


def _lines(parsed: Order) -> list[OrderLine]:
    """R20: each item's unit price as Amazon gives it; C12: quantity 0 lines are skipped."""
    lines = []
    for item in parsed.items:
        if item.quantity_ordered <= 0:
            continue
        assert item.unit_price is not None and item.seller_sku  # the rules waited or refused otherwise
        lines.append(OrderLine(
            sku=item.seller_sku, name=line_name(item.title, item.seller_sku), qty=Decimal(item.quantity_ordered),
            price=item.unit_price.amount, tax_amount=_amount(item.tax), discount_amount=_amount(item.discount),
            external_line_id=item.order_item_id,
        ))
    return lines


# C34: Amazon's proceeds types and the store order's totals that keep them; a type not known
# yet is kept in "other".
BREAKDOWN_FIELDS = {
    "ITEM": "subtotal", "SHIPPING": "shipping_amount", "GIFT_WRAP": "gift_wrap_amount", "COD_FEE": "cod_fee_amount",
    "TAX": "tax_amount", "DISCOUNT": "discount_amount", "DELIVERY_TIP": "delivery_tip_amount", "OTHER": "other_amount",
}


def _totals(parsed: Order, lines: list[OrderLine]) -> OrderTotals:
    """R20, C34: the grand total is Amazon's; every proceeds breakdown, known or not, is kept."""
    parts: dict[str, Decimal] = dict.fromkeys(BREAKDOWN_FIELDS.values(), ZERO)
    for kind in dict.fromkeys(b.type for b in parsed.proceeds_breakdowns):
        field = BREAKDOWN_FIELDS.get(kind, "other_amount")
        parts[field] += _amount(parsed.breakdown(kind))
    if parsed.breakdown("ITEM") is None:
        parts["subtotal"] = sum((line.qty * line.price for line in lines), ZERO)
    return OrderTotals(**parts, grand_total=_amount(parsed.grand_total))


def _totals_note(parsed: Order, totals: OrderTotals) -> str:
    """What the order's history says of its money: proceeds types not known yet, and by how much
    Amazon's own parts miss its grand total (C34)."""
    notes = []
    unknown = sorted({b.type for b in parsed.proceeds_breakdowns} - set(BREAKDOWN_FIELDS))
    if unknown:
        notes.append(f"Amazon's proceeds {', '.join(t[:40] for t in unknown)} are kept under Other")
    parts = sum((getattr(totals, field) for field in BREAKDOWN_FIELDS.values()), ZERO)
    if parts != totals.grand_total:
        notes.append(f"Amazon's parts add up to {parts}, its grand total is {totals.grand_total} "
                     f"(a difference of {totals.grand_total - parts})")
    return "".join(f". {note}" for note in notes)


def _placeholder_products(parsed: Order, lines: list[OrderLine]) -> None:
    """R10: a disabled, Do Not Manage product for each SKU that matches none."""
    known = products_by_sku(line.sku for line in lines)
    for line in lines:
        if line.sku in known:
            continue
        try:
            known[line.sku] = product_create(sku=line.sku, name=line.name, price=line.price,
                                             manage_stock=False, enabled=False)
        except Exception as exc:
            found = Product.objects.filter(sku=line.sku).first()
            if found is None:
                raise ImportFailed(f"the product for SKU {line.sku[:64]} cannot be created: {_plain(exc)}") from exc
            known[line.sku] = found


def _plain(exc: Exception) -> str:
    """The error in plain words, without the value refused (it may be buyer data)."""
    field, reason = getattr(exc, "field", None), getattr(exc, "reason", None)
    if field and reason:
        return f"{field}: {reason}"
    return str(exc)[:300] or type(exc).__name__


def _customer(decision: rules.Decision, settings: OrderSettings, email: str, names: tuple[str, str]) -> Any:
    """R11: the website's customer with the buyer's email under "new_account", else a guest order."""
    if settings.customer_creation != OrderSettings.CustomerCreation.NEW_ACCOUNT or decision.buyer_withheld:
        return None
    store = settings.store
    assert store is not None
    customer, _ = customer_get_or_create(website=store.website, email=email, firstname=names[0], lastname=names[1])
    return customer


def store_order_create(
    *, amazon_order: AmazonOrder, parsed: Order, decision: rules.Decision, settings: OrderSettings,
    address_corrected: bool = False,
) -> StoreOrder:
    """Create the store order, reserve (or take over the pending reservation), invoice; all or nothing."""
    store = settings.store
    if store is None:
        raise ImportFailed("no store is set in the order settings")
    lines = _lines(parsed)
    _placeholder_products(parsed, lines)
    buyer_name = (parsed.buyer.name if parsed.buyer else None) or rules.PLACEHOLDER_BUYER_NAME
    email = (rules.placeholder_email(amazon_order.amazon_order_id) if decision.buyer_withheld
             else (parsed.buyer.email if parsed.buyer and parsed.buyer.email else ""))
    names = split_name(buyer_name)  # C38: withholding only the email keeps the name
    customer = _customer(decision, settings, email, names)
    number = (amazon_order.amazon_order_id if settings.order_number_source == OrderSettings.OrderNumberSource.AMAZON
              else order_number_next(store=store))
    status = settings.processing_order_status if settings.order_status == OrderSettings.OrderStatus.CUSTOM else None
    address = _address(parsed)
    comment = f"Amazon order {amazon_order.amazon_order_id}"
    if decision.buyer_withheld:
        comment += ": Amazon withheld the buyer's email, so this is a guest order"
    totals = _totals(parsed, lines)
    comment += _totals_note(parsed, totals)
    if address_corrected:
        comment += ". Shipping address corrected on the dashboard before import"
    order = order_create(
        store=store, number=number, lines=lines, status=status or None, customer=customer, email=email,
        firstname=names[0], lastname=names[1], billing=address, shipping=address,
        currency=parsed.currency or "", totals=totals, payment_method="amazon", is_invoiced=True,
        external=ExternalRef(EXTERNAL_CHANNEL, str(amazon_order.account_id), amazon_order.amazon_order_id),
        comment=comment,
    )
    _reserve(amazon_order, order, decision, lines)
    if parsed.is_fba:
        # R21: FBA orders are complete right after creation, with no stock movement.
        order = order_transition(order=order, state="complete", comment="Fulfilled by Amazon")
    return order


def _reserve(amazon_order: AmazonOrder, order: StoreOrder, decision: rules.Decision, lines: list[OrderLine]) -> None:
    """R12: reserve each managed item's full quantity; a pending reservation becomes the order's."""
    if not decision.reserve:
        return
    stock = stock_for_store(store=order.store)
    key = f"amazon:{amazon_order.account_id}:{amazon_order.amazon_order_id}"
    wanted: dict[str, Decimal] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, ZERO) + line.qty
    if decision.pending is rules.PendingAction.TRANSFER:
        _pending_shrink(amazon_order, stock, wanted, key)
        reservation_transfer(stock=stock, from_object=(PENDING_OBJECT_TYPE, amazon_order.amazon_order_id),
                             to_object=(ORDER_OBJECT_TYPE, str(order.pk)),
                             event_key=f"{key}:pending:{amazon_order.pending_generation}:to-order")

    # The order was created in this transaction: only a transfer can have given it reservations.
    held = (open_reservations(object_type=ORDER_OBJECT_TYPE, object_id=str(order.pk), stock=stock)
            if decision.pending is rules.PendingAction.TRANSFER else {})
    missing = [(sku, qty + held.get(sku, ZERO)) for sku, qty in sorted(wanted.items()) if qty + held.get(sku, ZERO) > 0]
    if missing:
        reservation_append(stock=stock, lines=missing, event_type="order_placed", object_type=ORDER_OBJECT_TYPE,
                           object_id=str(order.pk), event_key=f"{key}:order:{order.pk}:reserve")


def _pending_shrink(amazon_order: AmazonOrder, stock: Any, wanted: dict[str, Decimal], key: str) -> None:
    """C35: what Amazon removed from the order since it was reserved is compensated before the
    rest moves to the store order; only what the lines now need moves."""
    held = open_reservations(object_type=PENDING_OBJECT_TYPE, object_id=amazon_order.amazon_order_id, stock=stock)
    excess = [(sku, -qty - wanted.get(sku, ZERO)) for sku, qty in sorted(held.items())
              if -qty - wanted.get(sku, ZERO) > 0]
    if excess:
        reservation_compensate(stock=stock, object_type=PENDING_OBJECT_TYPE, object_id=amazon_order.amazon_order_id,
                               event_type="amazon_order_shrunk", lines=excess,
                               event_key=f"{key}:pending:{amazon_order.pending_generation}:shrunk")
