"""What every dashboard page shares: the merchant's time zone, the role and the banner."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from saleschannel.dashboard.permissions import is_manager


def display_zone() -> zoneinfo.ZoneInfo:
    """The merchant's time zone (C20); dates are stored in UTC and shown in it."""
    name = getattr(settings, "SALESCHANNEL_DISPLAY_TIME_ZONE", "UTC") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def render_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render a dashboard page in the merchant's time zone, with the role and the banner."""
    from saleschannel.dashboard.selectors import problem_order_count

    tz = display_zone()
    page = {"can_manage": is_manager(request.user), "tz": tz, **context}
    if "problem_count" not in page:  # a page that counted the problems per account gives their sum
        page["problem_count"] = problem_order_count()
    with timezone.override(tz):
        return render(request, template, page, status=status)
