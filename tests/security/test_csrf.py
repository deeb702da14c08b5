"""Every form and every state-changing route refuses a POST without the CSRF token (403), even
from a signed-in manager; session-authenticated API writes too. Nothing changes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.security.routes import URLCONF, fill, project_routes
from tests.security.test_access import READ_ONLY, fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

EXEMPT = {"notification-order-change"}  # authenticated by the installation's x-api-key, no cookie (C16)


class Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.posts: list[tuple[str, bool]] = []  # (action, carries a token)
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._open = [a.get("action") or ""]
        elif tag == "input" and self._open is not None and a.get("name") == "csrfmiddlewaretoken":
            self._open.append("token")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open is not None:
            self.posts.append((self._open[0], "token" in self._open))
            self._open = None


def forms_on_pages(world) -> dict[str, list[tuple[str, bool]]]:
    client = world.client("manager")
    found = {}
    for route in project_routes():
        if route.is_api or route.name in EXEMPT or "callback" in route.name:
            continue
        path = fill(route, world)
        response = client.get(path)
        if response.status_code == 200 and "html" in response["Content-Type"]:
            parser = Forms()
            parser.feed(response.content.decode())
            found[path] = [(action or path, token) for action, token in parser.posts]
    return found


def test_every_form_carries_a_token_and_is_refused_without_it(world):
    pages = forms_on_pages(world)
    forms = [(page, action, token) for page, posts in pages.items() for action, token in posts]
    assert len(forms) >= 5, forms  # settings, sync, import, address, ship, logout, connect...
    assert all(token for _, _, token in forms), [f for f in forms if not f[2]]
    strict = world.client("manager", enforce_csrf_checks=True)
    before = fingerprint()
    for page, action, _ in forms:
        target = action if action.startswith("/") else page
        response = strict.post(target, {"import_orders": "enabled"})
        assert response.status_code == 403, f"form of {page} posting to {target}"
        assert re.search(rb"CSRF", response.content), target
    assert fingerprint() == before


def test_every_state_changing_route_refuses_a_post_without_the_token(world):
    strict = world.client("manager", enforce_csrf_checks=True)
    before = fingerprint()
    checked = 0
    for route in project_routes():
        if route.name in EXEMPT or route.name in READ_ONLY or route.name == "connect:callback":
            continue
        path = fill(route, world)
        for method in ("post", "put", "patch", "delete") if route.is_api else ("post",):
            response = getattr(strict, method)(path, {}, content_type="application/json")
            if response.status_code == 405:
                continue
            assert response.status_code == 403, f"{method.upper()} {path}: {response.status_code}"
            checked += 1
    assert checked >= 12
    assert fingerprint() == before
