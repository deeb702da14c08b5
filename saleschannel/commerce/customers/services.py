"""Writes of the customers app.

- ``customer_get_or_create(*, website, email, firstname, lastname) -> tuple[Customer, bool]``:
  the customer with this email in the website (case ignored), or a new one; safe when
  two writers ask at once (the database's unique index decides, the loser reads).
- ``customer_address_add(*, customer, address, default_billing=False, default_shipping=False) -> CustomerAddress``:
  an address book entry from an ``AddressData`` (every part optional).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from saleschannel.commerce.customers.models import Customer, CustomerAddress
from saleschannel.commerce.errors import InvalidInput
from saleschannel.commerce.sales.models import FINAL_STATES, Order
from saleschannel.commerce.sales.types import AddressData
from saleschannel.commerce.stores.models import Website
from saleschannel.commerce.validation import text_check


def email_check(email: object) -> str:
    """An email address: one @ with text on both sides, no blanks."""
    text = text_check("email", email, max_length=255)
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in text):
        raise InvalidInput("email", text, "is not an email address")
    return text


def customer_get_or_create(*, website: Website, email: str, firstname: str, lastname: str) -> tuple[Customer, bool]:
    """The website's customer with ``email`` (case ignored), created from the names when none exists."""
    email = email_check(email)
    firstname = text_check("firstname", firstname, max_length=255, required=False)
    lastname = text_check("lastname", lastname, max_length=255, required=False)
    found = Customer.objects.filter(website=website, email__iexact=email).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            customer = Customer.objects.create(website=website, email=email, firstname=firstname, lastname=lastname)
            return customer, True
    except IntegrityError:
        return Customer.objects.get(website=website, email__iexact=email), False


ADDRESS_LIMITS = {"firstname": 255, "lastname": 255, "company": 255, "street": 2000, "city": 255,
                  "region": 255, "postcode": 64, "country_id": 2, "telephone": 64}


def address_parts(kind: str, address: AddressData) -> dict[str, str]:
    """The parts of an address, each checked; ``kind`` names it in a refusal ("billing country_id")."""
    return {name: text_check(f"{kind} {name}", getattr(address, name), max_length=limit, required=False)
            for name, limit in ADDRESS_LIMITS.items()}


@transaction.atomic
def customer_address_add(
    *, customer: Customer, address: AddressData, default_billing: bool = False, default_shipping: bool = False
) -> CustomerAddress:
    """Add an address to the customer's book; a new default replaces the old one."""
    parts = address_parts("address", address)
    if default_billing:
        customer.addresses.update(is_default_billing=False)
    if default_shipping:
        customer.addresses.update(is_default_shipping=False)
    return CustomerAddress.objects.create(customer=customer, is_default_billing=default_billing,
                                          is_default_shipping=default_shipping, **parts)


# --- buyer data past its retention (C27: the channel's retention policy decides when) ----

#: Written where a buyer's name was: says what happened, and marks the row as done.
MASKED_NAME = "(removed)"
#: Masked emails end so; each keeps the row's id, so unique emails stay unique.
MASKED_EMAIL_DOMAIN = "removed.invalid"


def masked_email(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{MASKED_EMAIL_DOMAIN}"


def customers_to_mask(*, cutoff: dt.datetime) -> QuerySet[Customer]:
    """Customers with orders, every one of them finished before ``cutoff``, not masked yet."""
    recent_or_open = Order.objects.filter(customer=OuterRef("pk")).filter(
        ~Q(state__in=FINAL_STATES) | Q(updated_at__gt=cutoff)
    )
    return (
        Customer.objects.filter(orders__isnull=False)
        .exclude(Exists(recent_or_open))
        .exclude(email__endswith=f"@{MASKED_EMAIL_DOMAIN}")
        .distinct()
    )


def customer_buyer_data_mask(*, pk: int, cutoff: dt.datetime) -> bool:
    """Mask the customer's name, email and addresses if still due; False when it no longer is."""
    with transaction.atomic():
        # Lock the row first: PostgreSQL takes no FOR UPDATE on the DISTINCT query that chose it.
        if not Customer.objects.select_for_update().filter(pk=pk).exists():
            return False
        if not customers_to_mask(cutoff=cutoff).filter(pk=pk).exists():
            return False
        Customer.objects.filter(pk=pk).update(email=masked_email("customer", pk), firstname=MASKED_NAME, lastname="")
        CustomerAddress.objects.filter(customer_id=pk).update(
            firstname=MASKED_NAME, lastname="", company="", street="", telephone=""
        )
    return True
