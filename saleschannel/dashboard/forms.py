"""Forms of the dashboard: the filters of the order lists and the Order Settings form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

AMAZON_STATUSES = [
    "Pending",
    "PendingAvailability",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "Canceled",
    "Unfulfillable",
    "Error",
]
IMPORT_STATES = [
    ("imported", "Imported"),
    ("waiting", "Waiting"),
    ("not_importable", "Not importable"),
    ("error", "Error"),
]
MONEY_LIMIT = Decimal("1e15")
# Amazon's marketplaces opened in the 1990s; far dates would only overflow time zone arithmetic.
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2999, 12, 31)


def _blank(choices: list[tuple[str, str]], label: str = "Any") -> list[tuple[str, str]]:
    return [("", label), *choices]


class AmazonOrderFilterForm(forms.Form):
    """The filters of the Amazon orders list; the same fields are the API's query parameters."""

    number = forms.CharField(
        required=False,
        max_length=64,
        label="Order number",
        widget=forms.TextInput(attrs={"placeholder": "Amazon or store order number", "type": "search"}),
    )
    account = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Account")
    status = forms.ChoiceField(required=False, choices=_blank([(s, s) for s in AMAZON_STATUSES]), label="Amazon status")
    channel = forms.ChoiceField(required=False, choices=_blank([("FBA", "FBA"), ("FBM", "FBM")]), label="Channel")
    import_state = forms.ChoiceField(required=False, choices=_blank(IMPORT_STATES), label="Import state")
    purchased_from = forms.DateField(required=False, label="Purchased from", widget=forms.DateInput(attrs={"type": "date"}))
    purchased_to = forms.DateField(required=False, label="Purchased to", widget=forms.DateInput(attrs={"type": "date"}))
    buyer = forms.CharField(required=False, max_length=100, label="Buyer")
    total_min = forms.DecimalField(required=False, min_value=0, max_value=MONEY_LIMIT, decimal_places=4, label="Total from")
    total_max = forms.DecimalField(required=False, min_value=0, max_value=MONEY_LIMIT, decimal_places=4, label="Total to")
    prime = forms.ChoiceField(required=False, choices=_blank([("yes", "Prime only"), ("no", "Not Prime")]), label="Prime")
    business = forms.ChoiceField(
        required=False, choices=_blank([("yes", "Business only"), ("no", "Not business")]), label="Business order"
    )
    problem = forms.BooleanField(required=False, label="Cannot be imported")

    def __init__(self, *args: Any, accounts: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _blank([(str(pk), name) for pk, name in (accounts or [])])  # type: ignore[attr-defined]

    def _date_in_range(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(f"Enter a date between {FIRST_DAY.year} and {LAST_DAY.year}.")
        return value

    def clean_purchased_from(self) -> dt.date | None:
        return self._date_in_range("purchased_from")

    def clean_purchased_to(self) -> dt.date | None:
        return self._date_in_range("purchased_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("purchased_from"), data.get("purchased_to")
        if start and end and start > end:
            self.add_error("purchased_to", "Must be on or after the start date.")
        low, high = data.get("total_min"), data.get("total_max")
        if low is not None and high is not None and low > high:
            self.add_error("total_max", "Must be at least the lower total.")
        return data


class StoreOrderFilterForm(forms.Form):
    number = forms.CharField(
        required=False,
        max_length=64,
        label="Order number",
        widget=forms.TextInput(attrs={"placeholder": "Store or Amazon order number", "type": "search"}),
    )
    status = forms.CharField(required=False, max_length=32, label="Status")
    channel = forms.ChoiceField(required=False, choices=_blank([("amazon", "Amazon"), ("store", "Store")]), label="Channel")
    customer = forms.CharField(required=False, max_length=100, label="Customer")


def day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The first instant of ``day`` in the merchant's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
