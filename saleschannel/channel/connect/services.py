"""Connecting an Amazon account through Amazon's website authorization workflow.

- ``authorization_start(*, user, marketplace_id, redirect_url, account_name="", account=None,
  now=None) -> tuple[AuthorizationState, str]``: a single-use ``state`` bound to the user
  and the marketplace, and the Seller Central URL to send the merchant to.
- ``authorization_complete(*, user, state, selling_partner_id, code, error="", transport=None,
  now=None) -> tuple[Account, bool]``: Seller Central's callback: checks the state, exchanges
  the code for a refresh token and connects the account (``account_connect``, C29);
  returns the account and whether it is new. Raises ``AuthorizationRefused`` having
  connected nothing.
- ``account_disconnect(*, account, user=None, now=None) -> Account``: forgets the
  credentials, keeps the orders; the account is not synced until it is reconnected.
- ``consent_url(*, config, marketplace, state, redirect_url) -> str``.

Nothing here logs or raises with the client secret, the refresh token or the OAuth code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saleschannel.channel.connect.config import ApplicationConfig, application_config
from saleschannel.channel.connect.marketplaces import CONSENT_PATH, Marketplace, marketplace_get
from saleschannel.channel.connect.models import AuthorizationState
from saleschannel.channel.errors import AccountInvalid, AuthorizationRefused, NotConfigured
from saleschannel.channel.models import Account
from saleschannel.channel.services.accounts import account_connect
from saleschannel.spapi.auth import exchange_authorization_code
from saleschannel.spapi.errors import AuthFailed, SpApiError

log = logging.getLogger("saleschannel.connect")

#: How long the merchant has to approve in Seller Central (a setting overrides it).
STATE_TTL_MINUTES = 10
#: Finished or expired states are deleted after this long.
STATE_KEEP = dt.timedelta(days=7)
_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CODE_MAX = 2048
NAME_MAX = 100


def _ttl() -> dt.timedelta:
    minutes = getattr(settings, "SALESCHANNEL_OAUTH_STATE_MINUTES", STATE_TTL_MINUTES)
    return dt.timedelta(minutes=float(minutes))


def state_hash(state: str) -> str:
    """What is stored of a state: its SHA-256, so a leaked table cannot complete a flow."""
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def consent_url(*, config: ApplicationConfig, marketplace: Marketplace, state: str, redirect_url: str) -> str:
    """Seller Central's authorization URL for this marketplace (or the configured base)."""
    base = (config.seller_central_url or marketplace.seller_central).rstrip("/")
    params = {"application_id": config.application_id, "state": state}
    if config.draft:
        params["version"] = "beta"
    params["redirect_uri"] = redirect_url
    return f"{base}{CONSENT_PATH}?{urlencode(params)}"


def _name_check(name: str, *, account: Account | None) -> str:
    text = (name or "").strip()
    if not text:
        return ""
    if len(text) > NAME_MAX:
        raise AccountInvalid("name", f"longer than {NAME_MAX} characters")
    if not text.isprintable():
        raise AccountInvalid("name", "holds control characters")
    if text.isdigit():
        raise AccountInvalid("name", "must not be a number")
    taken = Account.objects.filter(name=text)
    if account is not None:
        taken = taken.exclude(pk=account.pk)
    if taken.exists():
        raise AccountInvalid("name", f"{text} is already the name of another account")
    return text


def authorization_start(
    *,
    user: Any,
    marketplace_id: str,
    redirect_url: str,
    account_name: str = "",
    account: Account | None = None,
    now: dt.datetime | None = None,
) -> tuple[AuthorizationState, str]:
    """Start connecting (or, with ``account``, reconnecting) an account on a marketplace.

    ``redirect_url`` is the callback's absolute URL, used when the configuration names
    none. Raises ``NotConfigured`` without the application's credentials, and
    ``AccountInvalid`` for an unknown marketplace or an unusable name.
    """
    config = application_config()
    if not config.complete:
        raise NotConfigured(config.missing)
    if account is not None:
        marketplace_id, account_name = account.marketplace_id, ""
    marketplace = marketplace_get(marketplace_id)
    if marketplace is None:
        raise AccountInvalid("marketplace_id", "is not one of Amazon's marketplaces")
    name = _name_check(account_name, account=account)
    now = now or timezone.now()
    state = secrets.token_urlsafe(32)
    redirect = config.redirect_url or redirect_url
    AuthorizationState.objects.filter(expires_at__lt=now - STATE_KEEP).delete()
    row = AuthorizationState.objects.create(
        state_hash=state_hash(state), user=user, marketplace_id=marketplace.marketplace_id,
        account_name=name, account=account, redirect_url=redirect, created_at=now, expires_at=now + _ttl(),
    )
    log.info("user %s started an Amazon authorization for marketplace %s (authorization %s)",
             getattr(user, "pk", None), marketplace.marketplace_id, row.pk)
    return row, consent_url(config=config, marketplace=marketplace, state=state, redirect_url=redirect)


# --- the callback ------------------------------------------------------------------------------


def _state_claim(*, user: Any, state: str, now: dt.datetime) -> AuthorizationState:
    """The state's row, marked used; refuses a missing, unknown, foreign, expired or used state."""
    if not state:
        raise AuthorizationRefused("state_missing", "Amazon's answer came without a state, so it cannot be "
                                   "matched to a connection you started. Start again from the dashboard.")
    if len(state) > 200:
        raise AuthorizationRefused("state_unknown", "This authorization was not started here. "
                                   "Start again from the dashboard.")
    row = AuthorizationState.objects.filter(state_hash=state_hash(state)).first()
    if row is None:
        raise AuthorizationRefused("state_unknown", "This authorization was not started here. "
                                   "Start again from the dashboard.")
    if row.user_id != getattr(user, "pk", None):
        raise AuthorizationRefused("state_foreign", "This authorization was started by another user. "
                                   "Each user connects accounts from their own session.")
    if row.used_at is not None:
        raise AuthorizationRefused("state_used", "This authorization has already been used. "
                                   "Start again from the dashboard.")
    if row.expires_at <= now:
        _state_finish(row, AuthorizationState.Outcome.REFUSED, "expired", used_at=now)
        raise AuthorizationRefused("state_expired", "This authorization expired before Amazon answered. "
                                   "Start again from the dashboard and approve within a few minutes.")
    claimed = AuthorizationState.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
    if claimed != 1:  # another request took it between the read and the update
        raise AuthorizationRefused("state_used", "This authorization has already been used. "
                                   "Start again from the dashboard.")
    return row


def _state_finish(row: AuthorizationState, outcome: str, detail: str, *, used_at: dt.datetime | None = None,
                  account: Account | None = None) -> None:
    fields: dict[str, Any] = {"outcome": outcome, "detail": detail[:500], "connected_account": account}
    if used_at is not None:
        fields["used_at"] = used_at
    AuthorizationState.objects.filter(pk=row.pk).update(**fields)


def _callback_check(row: AuthorizationState, selling_partner_id: str, code: str, error: str) -> None:
    if error:
        raise AuthorizationRefused("denied", "Amazon says the authorization was not granted "
                                   "(the request was denied in Seller Central). Nothing was connected.")
    if not isinstance(selling_partner_id, str) or not _ID_RE.match(selling_partner_id):
        raise AuthorizationRefused("bad_request", "Amazon's answer has no valid selling partner id.")
    if not code or len(code) > _CODE_MAX or not code.isprintable() or any(c.isspace() for c in code):
        raise AuthorizationRefused("bad_request", "Amazon's answer has no valid authorization code.")
    if row.account is not None and row.account.seller_id != selling_partner_id:
        raise AuthorizationRefused("seller_mismatch", f"You signed in to Seller Central as seller "
                                   f"{selling_partner_id}, but {row.account.name} belongs to seller "
                                   f"{row.account.seller_id}. Sign in as that seller to reconnect it.")


def _exchange(config: ApplicationConfig, row: AuthorizationState, code: str,
              transport: httpx.BaseTransport | None) -> str:
    try:
        grant = exchange_authorization_code(
            code=code, client_id=config.client_id, client_secret=config.client_secret,
            redirect_uri=row.redirect_url, token_url=config.effective_token_url, transport=transport,
            timeout=httpx.Timeout(20.0),
        )
    except AuthFailed as exc:
        said = ", ".join(e.code for e in exc.errors) or f"HTTP {exc.status}"
        raise AuthorizationRefused("exchange_refused", f"Amazon refused the authorization code ({said}). "
                                   "Codes are good for a few minutes and once only: start again.") from None
    except SpApiError as exc:
        raise AuthorizationRefused("exchange_failed", f"Amazon could not be asked for the account's "
                                   f"credentials ({type(exc).__name__}). Try again in a moment.") from None
    assert grant.refresh_token is not None  # exchange_authorization_code checks it
    return grant.refresh_token


def _new_account_name(row: AuthorizationState, marketplace: Marketplace, seller_id: str) -> str:
    existing = Account.objects.filter(seller_id=seller_id, marketplace_id=marketplace.marketplace_id).first()
    if existing is not None:
        return existing.name
    if row.account_name and not Account.objects.filter(name=row.account_name).exists():
        return row.account_name
    base = f"{marketplace.name} {seller_id}"[:NAME_MAX - 4]
    name, n = base, 1
    while Account.objects.filter(name=name).exists():
        n += 1
        name = f"{base} {n}"
    return name


def authorization_complete(
    *,
    user: Any,
    state: str,
    selling_partner_id: str,
    code: str,
    error: str = "",
    transport: httpx.BaseTransport | None = None,
    now: dt.datetime | None = None,
) -> tuple[Account, bool]:
    """Finish an authorization: Seller Central sent the merchant back with a code.

    The state is claimed first (one callback per state). On success the account is
    connected with import disabled (R1), or, when the seller and marketplace are known,
    its credentials are replaced and "needs reconnecting" cleared (C29).
    """
    now = now or timezone.now()
    row = _state_claim(user=user, state=state, now=now)
    try:
        _callback_check(row, selling_partner_id, code, error)
        config = application_config()
        if not config.complete:
            raise AuthorizationRefused("not_configured", str(NotConfigured(config.missing)))
        marketplace = marketplace_get(row.marketplace_id)
        if marketplace is None:
            raise AuthorizationRefused("bad_request", "The marketplace of this authorization is unknown.")
        refresh_token = _exchange(config, row, code, transport)
        account, created = _connect(row, marketplace, selling_partner_id, refresh_token, config, now)
    except AuthorizationRefused as exc:
        _state_finish(row, AuthorizationState.Outcome.REFUSED, exc.code)
        log.info("authorization %s refused: %s", row.pk, exc.code)
        raise
    _state_finish(row, AuthorizationState.Outcome.CONNECTED, "", account=account)
    log.info("account %s %s through Amazon's website by user %s", account.pk,
             "connected" if created else "reconnected", getattr(user, "pk", None))
    return account, created


def _connect(row: AuthorizationState, marketplace: Marketplace, seller_id: str, refresh_token: str,
             config: ApplicationConfig, now: dt.datetime) -> tuple[Account, bool]:
    for attempt in (1, 2):
        try:
            return account_connect(
                name=_new_account_name(row, marketplace, seller_id), seller_id=seller_id,
                marketplace_id=marketplace.marketplace_id, region=marketplace.region, refresh_token=refresh_token,
                endpoint=config.api_endpoint, token_url=config.token_url, now=now,
            )
        except AccountInvalid as exc:
            # Two approvals of one seller at once: the other created the account; update it instead.
            known = Account.objects.filter(seller_id=seller_id, marketplace_id=marketplace.marketplace_id).exists()
            if attempt == 1 and known:
                continue
            raise AuthorizationRefused("account_invalid", f"The account could not be saved: {exc.field} "
                                       "refused. Nothing was connected.") from None
    raise AssertionError("unreachable")


# --- disconnecting -----------------------------------------------------------------------------

DISCONNECTED_NOTE = "Disconnected by {who}: the credentials were forgotten. Reconnect the account to sync again."


def account_disconnect(*, account: Account, user: Any = None, now: dt.datetime | None = None) -> Account:
    """Forget the account's credentials and keep its orders; it is not synced until reconnected.

    The account is marked "needs reconnecting", which every sync and notification fetch
    checks before calling Amazon; a website reconnection or ``account connect`` clears it.
    """
    who = user.get_username() if user is not None else "the command line"
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(
            client_id_encrypted="", client_secret_encrypted="", refresh_token_encrypted="",  # nosec B106  # forgetting the credentials, not setting one
            credentials_state=Account.CredentialsState.NEEDS_RECONNECTING,
            last_error=DISCONNECTED_NOTE.format(who=who), last_error_at=now or timezone.now(),
        )
    account.refresh_from_db()
    log.info("account %s disconnected by %s", account.pk, who)
    return account
