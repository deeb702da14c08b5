"""Reads of the stores app."""

from __future__ import annotations

from saleschannel.commerce.errors import NotFound
from saleschannel.commerce.stores.models import Store
from saleschannel.commerce.stores.services import DEFAULT_STORE_CODE


def store_get(*, code: str | None = None) -> Store:
    """The store with ``code`` (the default store when None); raises ``NotFound`` naming the store."""
    code = code or DEFAULT_STORE_CODE
    store = Store.objects.select_related("website").filter(code=code).first()
    if store is None:
        raise NotFound("store", code)
    return store


def store_default() -> Store:
    """The default store view (``default``)."""
    return store_get(code=DEFAULT_STORE_CODE)
