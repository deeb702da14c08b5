"""Keyset pages for the API: ``?after=<cursor>``, a ``next`` link, and never a COUNT over the table."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from saleschannel.dashboard.pagination import PAGE_SIZE, Page, keyset_page

MAX_LIMIT = 200


def size_of(request: Request) -> int:
    raw = request.query_params.get("limit", "")
    return min(int(raw), MAX_LIMIT) if raw.isdigit() and int(raw) > 0 else PAGE_SIZE


def page_of(request: Request, qs: QuerySet[Any], *, field: str) -> Page:
    return keyset_page(qs, field=field, cursor=request.query_params.get("after"), size=size_of(request))


def next_link(request: Request, page: Page) -> str | None:
    if not page.next_cursor:
        return None
    return replace_query_param(request.build_absolute_uri(), "after", page.next_cursor)
