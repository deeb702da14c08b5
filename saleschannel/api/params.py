"""Query parameters: one description serves both the OpenAPI document and the check of a request.

A list's parameters are declared once (``Param``); the document shows them with their types,
enums, bounds and patterns, and ``query_read`` refuses, with a 400 naming the parameter, what
the document would refuse: an unknown parameter, one given twice, a value of the wrong type,
out of bounds or not in the enum. Nothing is ignored. What passes is then read by the
dashboard's filter form, as on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

#: The largest primary key there can be (a 64-bit id); a larger one is refused, never looked up.
MAX_ID = 2**63 - 1
#: Text without NUL characters (databases refuse them; Django's forms too).
NO_NUL = r"^[^\u0000]*$"
_NO_NUL = re.compile(r"[^\x00]*")
_INTEGER = re.compile(r"-?[0-9]{1,20}")
#: A page's cursor, as ``saleschannel.dashboard.pagination`` writes it: ``<microseconds>.<id>`` or ``n.<id>``.
CURSOR = r"(?:n|[0-9]{1,17})\.[0-9]{1,18}"
#: A non-negative amount below 10^15 with at most four decimals (the filter forms' money bounds).
DECIMAL = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Refused(ValidationError):
    """A query refused: DRF answers it as a 400 whose body is ``{parameter: [message]}``."""


@dataclass(frozen=True)
class Param:
    """One query parameter: its kind (``string``, ``integer``, ``boolean``, ``date``, ``decimal``)
    and what the document says of it."""

    name: str
    kind: str = "string"
    description: str = ""
    enum: Sequence[str] = ()
    max_length: int | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    pattern: str | None = None  # a full-match regular expression (strings only)
    example: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        if self.kind == "integer":
            out: dict[str, Any] = {"type": "integer", "format": "int64"}
            if self.minimum is not None:
                out["minimum"] = int(self.minimum)
            if self.maximum is not None:
                out["maximum"] = int(self.maximum)
            return out
        if self.kind == "boolean":
            return {"type": "boolean"}
        if self.kind == "date":
            return {"type": "string", "format": "date"}
        if self.kind == "decimal":
            # A decimal as text: digits, at most four after the point, within the bounds.
            return {"type": "string", "pattern": DECIMAL}
        out = {"type": "string"}
        if self.enum:
            out["enum"] = list(self.enum)
            return out
        out["pattern"] = f"^{self.pattern}$" if self.pattern else NO_NUL
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        return out

    def openapi(self) -> OpenApiParameter:
        return OpenApiParameter(self.name, {**self.schema(), **self.extra}, description=self.description)

    def check(self, raw: str) -> str | None:
        """Why ``raw`` is refused, or None when it is a value the document allows."""
        if self.kind == "integer":
            if not _INTEGER.fullmatch(raw):
                return "Enter a whole number."
            number = int(raw)
            if self.minimum is not None and number < self.minimum:
                return f"Must be at least {self.minimum}."
            if self.maximum is not None and number > self.maximum:
                return f"Must be at most {self.maximum}."
            return None
        if self.kind == "boolean":
            return None if raw in ("true", "false") else "Enter true or false."
        if self.kind == "date":
            if not _DATE.fullmatch(raw):
                return "Enter a date as YYYY-MM-DD."
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                return "Enter a real date as YYYY-MM-DD."
            return None
        if self.kind == "decimal":
            if not re.fullmatch(DECIMAL.strip("^$"), raw):
                return "Enter a number below 10^15 with at most 4 decimals, for example 12.50."
            return None
        if self.enum:
            return None if raw in self.enum else f"Must be one of: {', '.join(self.enum)}."
        if self.max_length is not None and len(raw) > self.max_length:
            return f"At most {self.max_length} characters."
        if self.pattern and not re.fullmatch(self.pattern, raw):
            return "Not a value this parameter takes."
        if not _NO_NUL.fullmatch(raw):
            return "NUL characters are not allowed."
        return None


def parameters(params: Sequence[Param]) -> list[OpenApiParameter]:
    """The parameters for ``extend_schema``, each with the schema its check applies."""
    return [p.openapi() for p in params]


def query_read(request: Request, params: Sequence[Param]) -> dict[str, str]:
    """The request's query as ``{name: value}``, each value as the document allows it; else ``Refused``."""
    known = {p.name: p for p in params}
    query = request.query_params
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name in query:
        param = known.get(name)
        if param is None:
            errors[name[:64]] = [f"Not a parameter of this list; it takes {', '.join(known) or 'none'}."]
            continue
        given = query.getlist(name)
        if len(given) != 1:
            errors[name] = ["Give it once."]
            continue
        problem = param.check(given[0])
        if problem:
            errors[name] = [problem]
        else:
            values[name] = given[0]
    if errors:
        raise Refused(errors)
    return values


def link(request: Request, values: dict[str, str], **changes: str) -> str:
    """The list's URL with ``values`` and ``changes``: each parameter once."""
    query = {**values, **changes}
    return request.build_absolute_uri(request.path) + ("?" + urlencode(query) if query else "")
