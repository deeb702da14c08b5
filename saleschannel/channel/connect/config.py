"""The installation's SP-API application: from the environment, else the admin's row.

Field by field, a Django setting or environment variable wins over the row
(``ApplicationSettings``) edited in the admin:

=====================  ===================================  =======================
field                  setting / environment variable       row field
=====================  ===================================  =======================
application id         ``SALESCHANNEL_SPAPI_APPLICATION_ID``  ``application_id``
LWA client id          ``SALESCHANNEL_LWA_CLIENT_ID``         ``client_id``
LWA client secret      ``SALESCHANNEL_LWA_CLIENT_SECRET``     ``client_secret`` (encrypted)
redirect URL           ``SALESCHANNEL_OAUTH_REDIRECT_URL``    ``redirect_url``
draft (version=beta)   ``SALESCHANNEL_SPAPI_APP_DRAFT`` (1/0) ``draft``
Seller Central base    ``SALESCHANNEL_SELLER_CENTRAL_URL``    ``seller_central_url``
LWA token URL          ``SALESCHANNEL_LWA_TOKEN_URL``         ``token_url``
SP-API endpoint        ``SALESCHANNEL_SPAPI_ENDPOINT``        ``api_endpoint``
=====================  ===================================  =======================
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from saleschannel.channel.connect.models import ApplicationSettings
from saleschannel.home import setting
from saleschannel.spapi.auth import LWA_TOKEN_URL

_TEXT_FIELDS = {
    "application_id": "SALESCHANNEL_SPAPI_APPLICATION_ID",
    "client_id": "SALESCHANNEL_LWA_CLIENT_ID",
    "client_secret": "SALESCHANNEL_LWA_CLIENT_SECRET",  # nosec B105  # the name of an environment variable
    "redirect_url": "SALESCHANNEL_OAUTH_REDIRECT_URL",
    "seller_central_url": "SALESCHANNEL_SELLER_CENTRAL_URL",
    "token_url": "SALESCHANNEL_LWA_TOKEN_URL",  # nosec B105  # the name of an environment variable
    "api_endpoint": "SALESCHANNEL_SPAPI_ENDPOINT",
}
DRAFT_NAME = "SALESCHANNEL_SPAPI_APP_DRAFT"


@dataclass(frozen=True)
class ApplicationConfig:
    """What the website authorization workflow needs to know about the application."""

    application_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    redirect_url: str = ""
    draft: bool = True
    seller_central_url: str = ""
    token_url: str = ""
    api_endpoint: str = ""

    @property
    def complete(self) -> bool:
        """Whether merchants can connect accounts through Amazon's website."""
        return bool(self.application_id and self.client_id and self.client_secret)

    @property
    def missing(self) -> list[str]:
        names = {"application_id": "SP-API application id", "client_id": "LWA client id",
                 "client_secret": "LWA client secret"}  # nosec B105  # a label shown to the admin
        return [label for key, label in names.items() if not getattr(self, key)]

    @property
    def effective_token_url(self) -> str:
        return self.token_url or LWA_TOKEN_URL


def _configured(name: str) -> str | None:
    """A Django setting or environment variable of that name, when set and not empty."""
    value = setting(name)
    return str(value).strip() if value else None


def _row() -> object | None:

    try:
        with transaction.atomic():  # a savepoint: a missing table must not break the caller's transaction
            return ApplicationSettings.objects.filter(pk=1).first()
    except DatabaseError:  # not migrated yet: the environment alone
        return None


def application_config() -> ApplicationConfig:
    """The application's configuration, environment first, then the admin's row."""
    row = _row()
    values: dict[str, object] = {}
    for key, name in _TEXT_FIELDS.items():
        configured = _configured(name)
        if configured is not None:
            values[key] = configured
        elif row is not None:
            values[key] = str(getattr(row, key) or "").strip()
    draft = _configured(DRAFT_NAME)
    if draft is not None:
        values["draft"] = draft.lower() not in ("0", "false", "no", "off")
    elif row is not None:
        values["draft"] = bool(row.draft)  # type: ignore[attr-defined]
    return ApplicationConfig(**values)  # type: ignore[arg-type]
