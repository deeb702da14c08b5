"""Who may do what, written once for the dashboard and the REST API.

Staff (``is_staff``) may look at everything; managers (members of the group
``managers``, or superusers) may also change order settings and trigger imports,
retries and syncs. An inactive user may do nothing.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

MANAGERS_GROUP = "managers"


def is_viewer(user: Any) -> bool:
    """May look at the dashboard and read the API."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser)


def is_manager(user: Any) -> bool:
    """May also change settings and trigger imports, retries and syncs (cached per request)."""
    if not is_viewer(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_saleschannel_is_manager", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGERS_GROUP).exists()
        user._saleschannel_is_manager = cached
    return bool(cached)


def viewer_required(view: Any) -> Any:
    """Anonymous: to the login page. Signed in without staff rights: 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_viewer(request.user):
            raise PermissionDenied("Your account may not use the dashboard.")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view: Any) -> Any:
    """Like ``viewer_required``, and only managers get through."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_manager(request.user):
            raise PermissionDenied("Only managers may do this.")
        return view(request, *args, **kwargs)

    return wrapper
