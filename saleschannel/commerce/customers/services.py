"""Writes of the customers app.

- ``customer_get_or_create(*, website, email, firstname, lastname) -> tuple[Customer, bool]``:
  the customer with this email in the website (case ignored), or a new one; safe when
  two writers ask at once (the database's unique index decides, the loser reads).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.errors import InvalidInput
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
