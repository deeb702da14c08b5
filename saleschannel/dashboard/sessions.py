"""Sessions end after an idle time (SESSION_COOKIE_AGE): each request starts it again.

Django's own way, SESSION_SAVE_EVERY_REQUEST, writes the session row on every request. This
renews it at most once per SALESCHANNEL_SESSION_RENEW_SECONDS instead: the session notes when
it was last renewed, and saving it (Django's SessionMiddleware does) sets a fresh expiry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

RENEWED = "_saleschannel_renewed"


def _now() -> int:
    return int(time.time())


class SessionIdleMiddleware:
    """Placed after SessionMiddleware, so that its answer is seen first and the session saved after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.accessed or session.is_empty():
            return response
        renewed = session.get(RENEWED)
        every = int(getattr(settings, "SALESCHANNEL_SESSION_RENEW_SECONDS", 60))
        if not isinstance(renewed, int) or _now() - renewed >= every:
            session[RENEWED] = _now()  # modified: SessionMiddleware saves it with a new expiry
        return response


@receiver(user_logged_in, dispatch_uid="saleschannel-session-renewed")
def _note_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A session begins renewed: the sign-in itself just set its expiry."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED] = _now()
