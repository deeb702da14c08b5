"""Secrets of Amazon accounts, encrypted at rest with the installation's Fernet key.

The key is ``settings.SALESCHANNEL_FERNET_KEY`` (from the environment or a generated
key file under the data folder). A value that cannot be decrypted (another key, a
damaged row) raises ``SecretUnreadable``, whose message never holds the secret.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from saleschannel.channel.errors import SecretUnreadable


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode() if isinstance(key, str) else key)


def _current() -> Fernet:
    return _fernet(str(settings.SALESCHANNEL_FERNET_KEY))  # a lazy key: its file is made on first use


def secret_encrypt(plain: str) -> str:
    """The Fernet token of ``plain`` (empty text stays empty: nothing to hide)."""
    if not plain:
        return ""
    return _current().encrypt(plain.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    """The plain text of a token made by ``secret_encrypt``."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise SecretUnreadable("a stored credential cannot be decrypted with this installation's key") from None


def encrypted(column: str) -> property:
    """A model attribute that reads and writes ``column`` as an encrypted secret."""

    def read(obj: Any) -> str:
        return secret_decrypt(getattr(obj, column))

    def write(obj: Any, value: str) -> None:
        setattr(obj, column, secret_encrypt(value))

    return property(read, write, doc=f"decrypted from {column}")
