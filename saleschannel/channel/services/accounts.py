"""Writes and lookups of Amazon accounts.

- ``account_connect(*, name, seller_id, marketplace_id, region, refresh_token, client_id="",
  client_secret="", endpoint="", token_url="", now=None) -> tuple[Account, bool]``: connects an
  account (C29: one per seller and marketplace; connecting again updates the credentials and
  keeps ``integrated_at``); returns the account and whether it is new.
- ``account_get(*, ref) -> Account``: by name or numeric id.
- ``account_credentials_state_set(*, account, ok, error="", now=None) -> Account``: the
  connection state the sync engine reports and the dashboard shows.
- ``application_credentials() -> tuple[str, str]``: the installation's own client id and secret.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

from django.db import IntegrityError, transaction
from django.utils import timezone

from saleschannel.channel.connect.config import application_config
from saleschannel.channel.errors import AccountInvalid, AccountNotFound
from saleschannel.channel.models import Account, OrderSettings
from saleschannel.commerce.stores.selectors import store_default
from saleschannel.commerce.stores.services import stores_init

NAME_MAX = 100
ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECRET_MAX = 4096


def application_credentials() -> tuple[str, str]:
    """The installation's application client id and secret (C29), or empty ones.

    Settings or environment first (``SALESCHANNEL_LWA_CLIENT_ID``, ``SALESCHANNEL_LWA_CLIENT_SECRET``),
    then the application row edited in the admin (``channel.connect``).
    """
    config = application_config()
    return config.client_id, config.client_secret


def _name_check(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise AccountInvalid("name", "must not be empty")
    text = name.strip()
    if len(text) > NAME_MAX:
        raise AccountInvalid("name", f"longer than {NAME_MAX} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise AccountInvalid("name", "holds control characters")
    if text.isdigit():
        raise AccountInvalid("name", f"{text!r} is a number; account names must not be, ids are")
    return text


def _id_check(field: str, value: object) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        shown = value if isinstance(value, str) and len(value) <= 64 else "(given)"
        raise AccountInvalid(field, f"{shown!s} refused: letters, digits, '.', '_' or '-', 1 to 64")
    return value


def _url_check(field: str, value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 500:
        raise AccountInvalid(field, "must be an http or https URL of at most 500 characters")
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise AccountInvalid(field, f"{value} refused: must be an http or https URL")
    return value


def _secret_check(field: str, value: object, *, required: bool) -> str:
    """A secret: refused ones are never echoed."""
    if value in (None, ""):
        if required:
            raise AccountInvalid(field, "is required")
        return ""
    if (not isinstance(value, str) or len(value) > SECRET_MAX or any(c.isspace() for c in value)
            or not value.isprintable()):
        raise AccountInvalid(field, "refused (not shown): must be printable text without blanks")
    return value


def _region_check(region: object) -> str:
    if region not in Account.Region.values:
        raise AccountInvalid("region", f"{region!s} refused: must be one of {', '.join(Account.Region.values)}")
    return str(region)


def account_connect(
    *,
    name: str,
    seller_id: str,
    marketplace_id: str,
    region: str,
    refresh_token: str,
    client_id: str = "",
    client_secret: str = "",
    endpoint: str = "",
    token_url: str = "",
    now: dt.datetime | None = None,
) -> tuple[Account, bool]:
    """Connect an Amazon account, or update the credentials of the one with this seller and marketplace.

    ``integrated_at`` is set when the account is first connected and never changes after.
    The account's order settings start with the source's defaults (import disabled) and
    the default store. Raises ``AccountInvalid`` naming the field, writing nothing.
    """
    name = _name_check(name)
    seller_id = _id_check("seller_id", seller_id)
    marketplace_id = _id_check("marketplace_id", marketplace_id)
    region = _region_check(region)
    endpoint = _url_check("endpoint", endpoint)
    token_url = _url_check("token_url", token_url)
    refresh_token = _secret_check("refresh_token", refresh_token, required=True)
    client_id = _secret_check("client_id", client_id, required=False)
    client_secret = _secret_check("client_secret", client_secret, required=False)
    if not (client_id and client_secret) and not all(application_credentials()):
        missing = "client_id" if not client_id else "client_secret"
        raise AccountInvalid(missing, "is required: this installation has no application credentials")
    try:
        with transaction.atomic():
            return _connect(name, seller_id, marketplace_id, region, endpoint, token_url,
                            (client_id, client_secret, refresh_token), now or timezone.now())
    except IntegrityError:
        raise AccountInvalid("name", f"{name} is already the name of another account") from None


def _connect(
    name: str, seller_id: str, marketplace_id: str, region: str, endpoint: str, token_url: str,
    secrets: tuple[str, str, str], now: dt.datetime,
) -> tuple[Account, bool]:
    account = Account.objects.select_for_update().filter(seller_id=seller_id, marketplace_id=marketplace_id).first()
    created = account is None
    if account is None:
        if Account.objects.filter(name=name).exists():
            raise AccountInvalid("name", f"{name} is already the name of another account")
        account = Account(seller_id=seller_id, marketplace_id=marketplace_id, integrated_at=now)
    elif account.name != name and Account.objects.filter(name=name).exclude(pk=account.pk).exists():
        raise AccountInvalid("name", f"{name} is already the name of another account")
    account.name, account.region, account.endpoint, account.token_url = name, region, endpoint, token_url
    account.client_id, account.client_secret, account.refresh_token = secrets
    account.credentials_state = Account.CredentialsState.OK
    account.last_error, account.last_error_at = "", None
    account.save()
    if created:
        OrderSettings.objects.create(account=account, store=_default_store())
    return account, created


def _default_store():  # type: ignore[no-untyped-def]
    """The default store [D], after making sure the store core is initialised."""

    stores_init()
    return store_default()


def account_get(*, ref: str | int) -> Account:
    """The account named ``ref``, or with the numeric id ``ref``; raises ``AccountNotFound``."""
    text = str(ref).strip()
    account = Account.objects.filter(name=text).first()
    if account is None and text.isdigit():
        account = Account.objects.filter(pk=int(text)).first()
    if account is None:
        raise AccountNotFound(text[:100])
    return account


def account_credentials_state_set(
    *, account: Account, ok: bool, error: str = "", now: dt.datetime | None = None,
) -> Account:
    """Record whether Amazon accepted the credentials, with the last error it gave (no secrets)."""
    state = Account.CredentialsState.OK if ok else Account.CredentialsState.NEEDS_RECONNECTING
    fields: dict[str, object] = {"credentials_state": state}
    if error:
        fields.update(last_error=error[:2000], last_error_at=now or timezone.now())
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(**fields)
    account.refresh_from_db()
    return account
