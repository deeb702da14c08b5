"""Token authentication for the REST API: keys checked by digest, guesses counted by django-axes.

The header is DRF's (``Authorization: Token <key>``), so clients and the schema's ``tokenAuth``
stay as they were. A wrong key counts as a failed sign-in from its address; once the address is
locked out every key from it, the right one too, gets 429 until the lock ends or an admin
lifts it (``saleschannel user unlock --address``).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.request import Request

from saleschannel.api.tokens import api_token_check
from saleschannel.dashboard.lockout import API_CREDENTIALS_MARK


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed attempts from this address. Try again later, or ask an administrator to unlock it."
    default_code = "locked_out"


class HashedTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        django_request = request._request
        credentials: dict[str, Any] = {API_CREDENTIALS_MARK: True, "username": None}
        if not AxesProxyHandler.is_allowed(django_request, credentials):
            raise LockedOut()
        try:
            key = auth[1].decode("ascii")
        except UnicodeError:
            key = ""
        token = api_token_check(key) if key else None
        if token is None or not token.user.is_active:
            user_login_failed.send(sender=type(self), credentials=credentials, request=django_request)
            locked = bool(getattr(django_request, "axes_locked_out", False))
            # The answer is ours (JSON), not axes' lockout page.
            django_request.axes_locked_out = False  # type: ignore[attr-defined]
            if locked:
                raise LockedOut()
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:  # pragma: no cover - not used
        raise exceptions.AuthenticationFailed("Invalid token.")
