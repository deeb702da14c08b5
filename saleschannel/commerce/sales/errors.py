"""Refusals of the sales app.

SalesError (CommerceError)
├── OrderNumberTaken      the store already has an order with this number
├── ExternalRefTaken      an order already carries this (channel, account, external id)
└── IllegalTransition     a state change the state machine does not allow
StatusCodeTaken, UnknownStatus are InvalidInput (refused values).
"""

from __future__ import annotations

from saleschannel.commerce.errors import CommerceError, InvalidInput


class SalesError(CommerceError):
    """Any refusal of the sales app that is not a plain bad value."""


class OrderNumberTaken(SalesError):
    def __init__(self, store_code: str, number: str) -> None:
        self.store_code = store_code
        self.number = number
        super().__init__(f"order number {number} is taken in store {store_code}")


class ExternalRefTaken(SalesError):
    def __init__(self, channel: str, account: str, external_id: str) -> None:
        self.channel = channel
        self.account = account
        self.external_id = external_id
        super().__init__(f"an order exists for {channel} account {account} order {external_id}")


class IllegalTransition(SalesError):
    def __init__(self, from_state: str, to_state: str) -> None:
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(f"an order cannot go from state {from_state} to state {to_state}")


class StatusCodeTaken(InvalidInput):
    def __init__(self, code: str) -> None:
        super().__init__("code", code, "an order status with this code exists")
