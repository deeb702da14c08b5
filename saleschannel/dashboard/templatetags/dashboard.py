"""Small template filters of the dashboard: money and labels. They escape like any filter."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

IMPORT_STATE_LABELS = {
    "imported": "Imported",
    "waiting": "Waiting",
    "not_importable": "Not importable",
    "error": "Error",
}


@register.filter
def money(value: Any, currency: str = "") -> str:
    """``1234.5`` → ``1,234.50 EUR``; empty when there is no amount."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip() if currency else text


@register.filter
def qty(value: Any) -> str:
    """A quantity without trailing zeros: ``2.0000`` → ``2``."""
    if value is None:
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


@register.filter
def import_state_label(value: str) -> str:
    return IMPORT_STATE_LABELS.get(value, value)
