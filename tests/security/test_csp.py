"""A Content-Security-Policy on every page, and pages it need not weaken: no script or style
written into a page (no <script> without src, no on…= handlers, no style="" or <style>).

Two nets: every template of the project, read as text, and every page the route walk reaches,
as staff render it. Either fails the day a page adds an inline script."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from tests.security.routes import URLCONF, fill, project_routes

PROJECT = Path(__file__).resolve().parents[2] / "saleschannel"



class InlineFinder(HTMLParser):
    """Collects what a strict policy would refuse: inline scripts, handlers and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.styles.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.styles.append("<style>")
        if tag == "script":
            kind = (names.get("type") or "").lower()
            if "src" not in names and kind not in ("application/json", "application/ld+json"):
                self.scripts.append(f"<script> at {self.getpos()}")

def inline(html: str) -> InlineFinder:
    finder = InlineFinder()
    finder.feed(html)
    return finder


def test_the_finder_finds_what_it_is_meant_to():
    """The positive control: each kind of inline content is caught."""
    found = inline('<p onclick="x()">a</p><script>alert(1)</script><b style="color:red">b</b><style>p{}</style>'
                   '<a href="javascript:alert(1)">c</a><script src="/static/app.js"></script>'
                   '<script type="application/json" id="d">{}</script>')
    assert len(found.handlers) == 2 and len(found.scripts) == 1 and len(found.styles) == 2


def test_no_template_writes_script_or_style_into_a_page():
    offenders = []
    for path in sorted(PROJECT.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        # Template tags may sit inside attributes; they hide nothing the checks below look for.
        found = inline(re.sub(r"{%.*?%}|{{.*?}}", "x", text, flags=re.S))
        relative = str(path.relative_to(PROJECT))
        if found.scripts or found.handlers or found.styles:
            offenders.append((relative, found.scripts, found.handlers, found.styles))
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.urls(URLCONF)
def test_every_page_carries_a_strict_policy_and_writes_no_script_into_itself(world):
    from tests.security.test_access import READ_ONLY

    client = world.client("staff")
    pages = [("dashboard:login", "/login/", Client())]
    pages += [(r.name, fill(r, world), client) for r in project_routes() if r.name in READ_ONLY and not r.is_api]
    checked = 0
    for name, path, who in pages:
        response = who.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        found = inline(response.content.decode())
        assert found.scripts == [] and found.handlers == [], path
        assert found.styles == [], path
        checked += 1
    assert checked >= 12


@pytest.mark.django_db
def test_the_admin_and_the_api_carry_the_policy_too(fast_passwords):
    from tests.dashboard import factories

    root = factories.user_make("root")
    root.is_superuser = True
    root.save()
    client = Client()
    assert "default-src 'none'" in client.get("/admin/login/")["Content-Security-Policy"]
    client.force_login(root)
    admin = client.get("/admin/")
    assert admin.status_code == 200 and "frame-ancestors 'none'" in admin["Content-Security-Policy"]
    assert "default-src 'none'" in Client().get("/api/v1/accounts")["Content-Security-Policy"]
