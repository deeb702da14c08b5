"""What every dashboard page shares: the merchant's time zone, the role and the banner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from saleschannel.dashboard.permissions import is_manager
from saleschannel.dashboard.selectors import display_zone, problem_order_count


def render_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render a dashboard page in the merchant's time zone, with the role and the banner."""
    tz = display_zone()
    page = {"can_manage": is_manager(request.user), "tz": tz, **context}
    if "problem_count" not in page:  # a page that counted the problems per account gives their sum
        page["problem_count"] = problem_order_count()
    with timezone.override(tz):
        return render(request, template, page, status=status)
