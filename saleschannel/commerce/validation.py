"""Checks shared by the services: each refuses with ``InvalidInput`` naming field and value."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from saleschannel.commerce.errors import InvalidInput

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Largest magnitudes the DecimalFields hold (max_digits - decimal_places integer digits).
MONEY_LIMIT = Decimal("1e16")
QTY_LIMIT = Decimal("1e12")


def code_check(field: str, value: object) -> str:
    """A code: lower-case letter first, then letters, digits or underscores (Magento's store codes)."""
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise InvalidInput(field, value, "must be a lower-case letter followed by letters, digits or _")
    return value


def text_check(field: str, value: object, *, max_length: int, required: bool = True) -> str:
    """Text without control characters, stripped; refused when empty and required or too long."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(field, value, "must be text")
    text = value.strip()
    if required and not text:
        raise InvalidInput(field, repr(value), "must not be empty")
    if len(text) > max_length:
        raise InvalidInput(field, text[:40] + "…", f"longer than {max_length} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in text) or "\x7f" in text:
        raise InvalidInput(field, repr(text), "holds control characters")
    return text


def decimal_check(
    field: str, value: object, *, minimum: Decimal | None = Decimal(0), limit: Decimal = MONEY_LIMIT,
    places: int = 4,
) -> Decimal:
    """A finite decimal within the column's range and precision."""
    if isinstance(value, float | bool):
        raise InvalidInput(field, value, "must be a decimal, not a float")
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidInput(field, value, "is not a number") from None
    if not number.is_finite():
        raise InvalidInput(field, value, "is not a finite number")
    if minimum is not None and number < minimum:
        raise InvalidInput(field, value, f"must be at least {minimum}")
    if abs(number) >= limit:
        raise InvalidInput(field, value, "is too large")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(field, value, f"has more than {places} decimal places")
    return number
