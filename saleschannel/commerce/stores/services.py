"""Writes of the stores app.

- ``stores_init() -> None``: the default website ``base``, store ``default``, source
  ``default``, stock ``Default Stock`` and the order statuses; safe to run again.
- ``store_create(*, code, name, website=None) -> Store``: a store view, in the default
  website unless one is given; raises ``StoreCodeTaken`` or ``InvalidInput``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from saleschannel.commerce.errors import NotFound
from saleschannel.commerce.inventory.services import inventory_init
from saleschannel.commerce.sales.services import order_statuses_init
from saleschannel.commerce.stores.errors import StoreCodeTaken
from saleschannel.commerce.stores.models import Store, Website
from saleschannel.commerce.validation import code_check, text_check

DEFAULT_WEBSITE_CODE = "base"
DEFAULT_STORE_CODE = "default"


@transaction.atomic
def stores_init() -> None:
    """Create what a fresh installation needs; running it again changes nothing."""

    website, _ = Website.objects.get_or_create(code=DEFAULT_WEBSITE_CODE, defaults={"name": "Main Website"})
    Store.objects.get_or_create(
        code=DEFAULT_STORE_CODE, defaults={"name": "Default Store View", "website": website}
    )
    inventory_init(website=website)
    order_statuses_init()


def store_create(*, code: str, name: str, website: Website | None = None) -> Store:
    """A store view named by ``code`` (lower-case, Magento's rules) in ``website`` or the default one."""
    code = code_check("code", code)
    name = text_check("name", name, max_length=255)
    if website is None:
        website = Website.objects.filter(code=DEFAULT_WEBSITE_CODE).first()
        if website is None:
            raise NotFound("website", DEFAULT_WEBSITE_CODE)
    if Store.objects.filter(code=code).exists():
        raise StoreCodeTaken(code)
    try:
        with transaction.atomic():
            return Store.objects.create(code=code, name=name, website=website)
    except IntegrityError:
        raise StoreCodeTaken(code) from None
