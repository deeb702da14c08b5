"""The store core's exception tree.

CommerceError
├── InvalidInput          a value refused before anything is written (names field and value)
│   ├── stores.errors.StoreCodeTaken
│   ├── catalog.errors.ProductExists
│   └── ...
├── inventory.errors.InsufficientStock
└── sales.errors.SalesError > OrderNumberTaken | ExternalRefTaken | IllegalTransition
"""

from __future__ import annotations


class CommerceError(Exception):
    """Any refusal of the store core."""


class InvalidInput(CommerceError, ValueError):
    """A value refused before anything was written: names the field and the value."""

    def __init__(self, field: str, value: object, reason: str = "refused") -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {value!s}: {reason}".replace("\n", " "))


class NotFound(InvalidInput):
    """A named thing (store, product, source, status) does not exist."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(field, value, "not found")
