"""Refusals of the stores app."""

from __future__ import annotations

from saleschannel.commerce.errors import InvalidInput


class StoreCodeTaken(InvalidInput):
    def __init__(self, code: str) -> None:
        super().__init__("code", code, "a store with this code exists")
