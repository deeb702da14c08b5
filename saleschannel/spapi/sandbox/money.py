"""Keeping an order's proceeds right when a line leaves it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _shift(money: dict[str, str], by: Decimal) -> None:
    exponent = Decimal(money["amount"]).as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    money["amount"] = str((Decimal(money["amount"]) + by).quantize(Decimal(1).scaleb(-places)))


def subtract_line(order: dict[str, Any], item: dict[str, Any]) -> None:
    """Take a canceled line's proceeds out of the order's breakdowns and grand total."""
    proceeds = item.pop("proceeds", None)
    totals = order.get("proceeds")
    if proceeds is None or totals is None:
        return
    by_type = {b["type"]: b for b in totals.get("breakdowns", [])}
    for part in proceeds.get("breakdowns", []):
        if part["type"] in by_type:
            _shift(by_type[part["type"]]["subtotal"], -Decimal(part["subtotal"]["amount"]))
    if "grandTotal" in totals and "proceedsTotal" in proceeds:
        _shift(totals["grandTotal"], -Decimal(proceeds["proceedsTotal"]["amount"]))
