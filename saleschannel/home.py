"""Where the service keeps its data and its generated keys (``SALESCHANNEL_HOME``), and how it
reads a number of days it is configured with."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings


def home() -> Path:
    """The data folder: ``$SALESCHANNEL_HOME`` or ``./var``, created on first use."""
    path = Path(os.environ.get("SALESCHANNEL_HOME", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def key_from_env_or_file(env_name: str, filename: str, make: str = "token") -> str:
    """A secret from the environment, else from a file under home, generated once.

    ``make`` is ``token`` (url-safe random text) or ``fernet`` (a Fernet key).
    The file is created with mode 0600 and never lives in the repository.
    """
    value = os.environ.get(env_name)
    if value:
        return value
    path = home() / filename
    if path.exists():
        return path.read_text().strip()
    value = Fernet.generate_key().decode() if make == "fernet" else secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def days_setting(name: str, default: int, *, minimum: int) -> int:
    """A number of days from the Django setting ``name``, else the environment, else ``default``;
    a value that is not a whole number of at least ``minimum`` raises ``ValueError`` naming it."""

    raw: Any = getattr(settings, name, None)
    if raw is None:
        raw = os.environ.get(name, default)
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {raw!r} is not a whole number") from None
    if days < minimum:
        raise ValueError(f"{name} cannot be negative" if minimum == 0 else f"{name} must be at least {minimum}")
    return days
