"""Reads remembered for one unit of work: one Amazon order's import, say.

An import reads the same rows several times (the products of its SKUs, the store's stock,
the default order statuses): once to decide, again to create, again to reserve. Inside
``reads_remembered()`` those selectors answer a repeated question from memory. It lasts
as long as the ``with`` block (one order's transaction), never across units of work, so
it never hides another writer's change for longer than that transaction could.

- ``reads_remembered()``: a context manager; nested blocks share the outer one.
- ``remembered(kind, key, load)``: ``load()`` once per (kind, key) inside a block, every
  time outside one.
- ``forget()``: drop what the current block remembers (after a rollback).
- ``settings_remembered()``: a longer block, one page of Amazon orders, say, inside which the
  store's configuration (``SETTINGS_KINDS``: which stock a website sells from, the order
  statuses) is read once for all its units of work. A change to that configuration is seen
  from the next block on: seconds later, never by half an order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()
_memo: ContextVar[dict[tuple[str, Any], Any] | None] = ContextVar("saleschannel_reads", default=None)
_settings: ContextVar[dict[tuple[str, Any], Any] | None] = ContextVar("saleschannel_settings_reads", default=None)
SETTINGS_KINDS = frozenset({"stock_of_website", "default_status", "status"})


@contextmanager
def _block(var: ContextVar[dict[tuple[str, Any], Any] | None]) -> Iterator[None]:
    if var.get() is not None:  # nested: the outer block's memory serves
        yield
        return
    token = var.set({})
    try:
        yield
    finally:
        var.reset(token)


def reads_remembered() -> AbstractContextManager[None]:
    return _block(_memo)


def settings_remembered() -> AbstractContextManager[None]:
    return _block(_settings)


def remembered(kind: str, key: Any, load: Callable[[], T]) -> T:
    memo = _settings.get() if kind in SETTINGS_KINDS else None
    if memo is None:
        memo = _memo.get()
    if memo is None:
        return load()
    value = memo.get((kind, key), _MISSING)
    if value is _MISSING:
        value = memo[(kind, key)] = load()
    return value  # type: ignore[return-value]


def remembering() -> dict[tuple[str, Any], Any] | None:
    """The current block's memory (None outside one), for selectors that fill it in bulk."""
    return _memo.get()


def forget() -> None:
    for memo in (_memo.get(), _settings.get()):
        if memo is not None:
            memo.clear()
