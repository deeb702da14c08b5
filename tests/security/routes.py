"""Every route the project serves, walked from the URL resolver, with its path filled from real rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

URLCONF = "saleschannel.urls"
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # e.g. "amazon-orders/<int:pk>/import/"
    name: str
    callback: Any

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")


def walk(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern under the resolver, with the routes of included modules."""
    for entry in get_resolver(URLCONF).url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + str(entry.pattern), f"{namespace}{entry.name or ''}", entry.callback)


def fill(route: Route, world: Any) -> str:
    """The route's path with each parameter taken from the world's rows.

    A parameter this function does not know fails the test: a new route must be added here,
    so that no route escapes the walk.
    """

    def value(match: re.Match[str]) -> str:
        before = route.pattern[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        name = match["name"]
        if name == "sku":
            return str(world.sku)
        by_segment = {
            "accounts": world.account.pk,
            "connect": world.account.pk,
            "amazon-orders": world.amazon_order.pk,
            "orders": world.store_order.pk,
            "outbox": world.message.pk,
            "sync-requests": getattr(world.sync_request, "pk", None),
        }
        if name == "pk" and before in by_segment:
            return str(by_segment[before])
        raise AssertionError(f"the walk cannot fill {match.group(0)} in {route.pattern!r}: teach it this route")

    path = PARAM.sub(value, route.pattern)
    assert not re.search(r"[()^$?*\\]", path), f"a regex route the walk cannot fill: {route.pattern!r}"
    return "/" + path


def project_routes() -> list[Route]:
    """Every route but the admin's (Django's admin is checked on its own)."""
    routes = [r for r in walk() if not r.is_admin]
    assert len(routes) >= 30, "the walk found too few routes to mean anything"
    return routes
