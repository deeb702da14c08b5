"""API tokens: made (the key shown once), checked by digest, revoked one by one.

A key is ``<prefix>.<secret>``: 8 random characters that name the row, then 32 random bytes.
Only the SHA-256 of the whole key is stored. A key of 256 random bits needs no slow hash (it
cannot be guessed from a dictionary), and a fast one keeps each API call cheap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from saleschannel.api.models import ApiToken

PREFIX_LENGTH = 8
#: A token's last use is written at most this often, so that reading the API writes little.
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_create(*, user: Any, now: dt.datetime | None = None) -> NewToken:
    """A new token for ``user``; the key is in the answer and nowhere else."""
    now = now or timezone.now()
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, prefix=prefix, digest=_digest(key), created_at=now)
    return NewToken(token=token, key=key)


def api_token_revoke(*, token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Revoke one token at once; False if it was revoked already."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return bool(changed)


def api_tokens_revoke_all(*, user: Any, now: dt.datetime | None = None) -> int:
    with transaction.atomic():
        return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now or timezone.now())


def api_token_check(key: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The active token whose key this is (its last use noted), or None."""
    prefix, dot, _ = key.partition(".")
    if not dot or len(prefix) != PREFIX_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(key)):
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
