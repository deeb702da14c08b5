"""What every command module shares: errors with exit codes, JSON output, lookups."""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from decimal import Decimal
from typing import Any


def line_escaped(text: str) -> str:
    """C41: one line whatever a refused value holds: control, format and line-breaking characters
    are written as escapes (``\\n``, ``\\x1b``, ``\\u2028``), so a value can neither break the line
    nor move the terminal's cursor."""
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _ESCAPED else c
                   for c in text)


_ESCAPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


class UsageError(Exception):
    """Refused input: exit 2, one line naming the field and the value."""

    def __init__(self, field: str | None = None, value: object = None, message: str | None = None):
        if message is None:
            shown = "" if value is None else f" {value!s}"
            message = f"error: {field}:{shown} refused"
        super().__init__(message)
        self.field = field


class CommandFailed(Exception):
    """Any other failure: exit 1 with a plain message."""


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dt.datetime):
        if obj.tzinfo is not None:
            obj = obj.astimezone(dt.UTC)
            return obj.isoformat().replace("+00:00", "Z")
        return obj.isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def to_json(data: Any) -> str:
    """JSON with money as decimal strings and times as ISO 8601 UTC."""
    return json.dumps(data, default=_default, ensure_ascii=False)


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout and nothing else there."""
    sys.stdout.write(to_json(data) + "\n")
    sys.stdout.flush()
