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
    notes: tuple[str, ...] = ()  # what the merchant should know about these rows (a search's reading)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_MICROS = 10**17  # beyond year 5000: not a cursor of ours


def _encode(when: dt.datetime | None, pk: int) -> str:
    """``<microseconds since 1970>.<pk>`` (``n.<pk>`` without a time): URL-safe as it is."""
    if when is None:
        return f"n.{pk}"
    delta = when - EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds
    return f"{micros}.{pk}"


def _decode(cursor: str) -> tuple[dt.datetime | None, int] | None:
    """The (time, pk) of a cursor; None for a cursor that is not ours (then: the first page)."""
    head, sep, tail = cursor.partition(".")
    if not sep or not tail.isdigit() or int(tail) >= 2**63:
        return None
    if head == "n":
        return None, int(tail)
    if not head.isdigit() or int(head) > MAX_MICROS:
        return None
    return EPOCH + dt.timedelta(microseconds=int(head)), int(tail)


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
            # The "<=" gives the index a range to start from; the OR only trims the ties.
            ordered = ordered.filter(**{f"{field}__lte": when}).filter(Q(**{f"{field}__lt": when}) | Q(pk__lt=pk))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = _encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None
    return Page(rows=rows, next_cursor=next_cursor, is_first=position is None)


def _sort_key(row: Any, field: str) -> tuple[int, float, int]:
    when = getattr(row, field)
    return (0, 0.0, -row.pk) if when is None else (1, -when.timestamp(), -row.pk)


def keyset_page_merged(parts: list[QuerySet[Any]], *, field: str, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page over several querysets (one per account), each read along its own index, merged.

    The same cursor applies to every part, so the merged page is exactly the page of their union.
    """
    if len(parts) == 1:
        return keyset_page(parts[0], field=field, cursor=cursor, size=size)
    rows: list[Any] = []
    more = False
    for part in parts:
        page = keyset_page(part, field=field, cursor=cursor, size=size)
        rows += page.rows
        more = more or page.next_cursor is not None
    rows.sort(key=lambda row: _sort_key(row, field))
    more = more or len(rows) > size
    rows = rows[:size]
    next_cursor = _encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None
    return Page(rows=rows, next_cursor=next_cursor, is_first=not cursor or _decode(cursor) is None)
