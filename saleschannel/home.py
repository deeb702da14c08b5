"""The installation's configuration, read in one way, and where it keeps its data.

- ``setting(name, default)``: the Django setting ``name`` when set, else the environment
  variable of that name, else ``default``. Every ``SALESCHANNEL_*`` knob is read through it
  (or the typed readers below), so a Django setting and the environment are never two
  different answers.
- ``days_setting``, ``number_setting``: the same, checked as a whole number of days or a
  number that is not negative.
- ``home()``: the data folder (``SALESCHANNEL_HOME`` or ``./var``).
- ``key_from_env_or_file``: a secret from the environment, else a key file under home,
  generated on first use; ``key_lazy`` defers all of that until the key is first used,
  so importing the settings writes no file.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.functional import lazy


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
    # Written whole under a temporary name, then linked into place: of processes starting
    # together (the demo's worker and web server), one key wins and every one reads it whole.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{filename}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(temporary)
    return value


def key_lazy(env_name: str, filename: str, make: str = "token") -> str:
    """``key_from_env_or_file``, read (and the file generated) only when the key is first used."""
    return lazy(key_from_env_or_file, str)(env_name, filename, make)  # type: ignore[no-any-return]


def setting(name: str, default: Any = None) -> Any:
    """The Django setting ``name`` when set and not empty, else the environment, else ``default``."""
    value: Any = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name) or None
    return default if value is None else value


def number_setting(name: str, default: float) -> float:
    """A number that is not negative (``setting``); anything else raises ``ValueError`` naming it."""
    raw = setting(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {raw!r} is not a number") from None
    if value < 0:
        raise ValueError(f"{name}: {raw!r} must not be negative")
    return value


def days_setting(name: str, default: int, *, minimum: int) -> int:
    """A number of days from the Django setting ``name``, else the environment, else ``default``;
    a value that is not a whole number of at least ``minimum`` raises ``ValueError`` naming it."""
    raw: Any = setting(name, default)
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {raw!r} is not a whole number") from None
    if days < minimum:
        raise ValueError(f"{name} cannot be negative" if minimum == 0 else f"{name} must be at least {minimum}")
    return days
