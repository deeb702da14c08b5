"""Keyset pagination: a page costs the same at row one and at row one million.

No page ever counts the whole table. A cursor names the last row shown (its sort
value and primary key); the next page starts strictly after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_cursor: str | None
    is_first: bool


def _encode(when: dt.datetime | None, pk: int) -> str:
    return f"{when.isoformat() if when else '-'}~{pk}"


def _decode(cursor: str) -> tuple[dt.datetime | None, int] | None:
    """The (time, pk) of a cursor; None for a cursor that is not ours (then: the first page)."""
    head, sep, tail = cursor.rpartition("~")
    if not sep or not tail.isdigit():
        return None
    if head == "-":
        return None, int(tail)
    try:
        when = dt.datetime.fromisoformat(head)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when, int(tail)


def keyset_page(qs: QuerySet[Any], *, field: str, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """The page of ``qs`` after ``cursor``, newest ``field`` first, rows without ``field`` first.

    Rows where ``field`` is NULL come first (PostgreSQL's order for a descending
    index); among equal values the larger primary key comes first.
    """
    ordered = qs.order_by(F(field).desc(nulls_first=True), "-pk")
    position = _decode(cursor) if cursor else None
    if position is not None:
        when, pk = position
        if when is None:
            ordered = ordered.filter(Q(**{f"{field}__isnull": True, "pk__lt": pk}) | Q(**{f"{field}__isnull": False}))
        else:
            ordered = ordered.filter(Q(**{f"{field}__lt": when}) | Q(**{field: when, "pk__lt": pk}))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = _encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None
    return Page(rows=rows, next_cursor=next_cursor, is_first=position is None)
