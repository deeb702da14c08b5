"""No one gets in without the right role, on any route the project serves.

The routes come from the URL resolver (``routes.walk``), not from a list kept by hand: a
new route is checked the day it is added, and one the walk cannot fill fails the test.
Anonymous visitors are sent to the login page (pages) or get 401 (API, notifications);
signed-in users without staff rights get 403; staff without the manager role get 403 on
every route that changes state, and nothing in the database changes whatever they send.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.security.conftest import BUYER_EMAIL, BUYER_NAME
from tests.security.routes import URLCONF, Route, fill, project_routes

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

PUBLIC = {"dashboard:login", "dashboard:logout"}
NOTIFICATIONS = "notification-order-change"
CALLBACK = "connect:callback"  # Amazon sends the browser back here; it checks its own signed state
#: Pages that only read: a POST to them changes nothing (checked below) and may render the page.
READ_ONLY = {
    "dashboard:home", "dashboard:store_dashboard", "dashboard:amazon_orders", "dashboard:amazon_order",
    "dashboard:orders", "dashboard:order", "dashboard:products", "dashboard:product", "dashboard:errors",
    "dashboard:sync_log", "dashboard:outbox", "outbox:outbox_log", "connect:connection",
    # Every dashboard user may change their own password; the walk's junk is refused by the form.
    "dashboard:password_change",
}
WRITES = ("post", "put", "patch", "delete")
#: What a manager could change through the settings form and the API: staff must change none of it.
CHANGES = {"import_orders": "enabled", "customer_creation": "new_account", "order_number_source": "amazon",
           "pending_orders": "reserve"}


def fingerprint() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of the project (and the API tokens): what a refused call must not touch."""
    models = [m for m in apps.get_models() if m.__module__.startswith("saleschannel.")]
    models.append(apps.get_model("axes", "AccessAttempt"))
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def checked_routes() -> list[Route]:
    return [r for r in project_routes() if r.name not in PUBLIC]


def test_anonymous_is_sent_to_log_in_or_refused_everywhere(world):
    client = world.client("anonymous")
    before = fingerprint()
    for route in checked_routes():
        path = fill(route, world)
        for method in ("get", *WRITES):
            response = getattr(client, method)(path)
            where = f"{method.upper()} {path}"
            if route.is_api or route.name in (NOTIFICATIONS, CALLBACK):
                assert response.status_code in (401, 405), where
                if method == "get" and route.name != NOTIFICATIONS:
                    assert response.status_code == 401, where
            elif response.status_code != 405:
                assert response.status_code == 302, where
                assert response["Location"].startswith("/login/?next="), where
            assert BUYER_EMAIL.encode() not in response.content and BUYER_NAME.encode() not in response.content
    assert fingerprint() == before


def test_a_user_without_staff_rights_is_refused_everywhere(world):
    client = world.client("user")
    before = fingerprint()
    for route in checked_routes():
        path = fill(route, world)
        for method in ("get", *WRITES):
            response = getattr(client, method)(path)
            where = f"{method.upper()} {path}"
            if route.name == NOTIFICATIONS:
                assert response.status_code in (401, 405), where
            elif route.name == CALLBACK:
                assert response.status_code in (400, 403, 405), where
            else:
                assert response.status_code in (403, 405), where
            assert BUYER_EMAIL.encode() not in response.content
    assert fingerprint() == before


def test_staff_without_the_manager_role_change_nothing_anywhere(world):
    client = world.client("staff")
    before = fingerprint()
    refused = 0
    for route in checked_routes():
        path = fill(route, world)
        for method in WRITES:
            # A page's form reads form-encoded fields: sent as JSON they would reach no form, and the
            # "nothing changed" below would hold even for a page that let staff change things.
            if route.is_api or method != "post":
                response = getattr(client, method)(path, CHANGES, content_type="application/json")
            else:
                response = client.post(path, CHANGES)
            where = f"{method.upper()} {path}"
            if route.name == NOTIFICATIONS:
                assert response.status_code in (401, 405), where
            elif route.name in READ_ONLY:
                assert response.status_code in (200, 405), where
            elif route.is_api or method == "post":
                assert response.status_code in (403, 405), where
                refused += response.status_code == 403
            else:  # a form page answers other methods like a GET: read-only for staff
                assert response.status_code in (200, 403, 405), where
    assert fingerprint() == before
    assert refused >= 15, "the walk must have met the state-changing routes"


def test_staff_read_every_page_and_the_walk_reaches_real_pages(world):
    """The positive control: the same walk, as staff, reads each page; so the refusals above are
    refusals, not routes that fail for everyone."""
    client = world.client("staff")
    read = 0
    for route in checked_routes():
        if not (route.is_api or route.name in READ_ONLY):
            continue
        path = fill(route, world)
        response = client.get(path)
        assert response.status_code in (200, 405), f"GET {path}: {response.status_code}"  # 405: POST-only API
        read += response.status_code == 200
    assert read >= 20


def admin_urls(world) -> list[tuple[str, bool]]:
    """Each registered model's list, add, change, delete and history pages: (url, changes state)."""
    urls: list[tuple[str, bool]] = [(reverse("admin:index"), False)]
    for model in admin.site._registry:
        label = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append((reverse(f"{label}_changelist"), False))
        urls.append((reverse(f"{label}_add"), True))
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append((reverse(f"{label}_change", args=[first.pk]), True))
            urls.append((reverse(f"{label}_delete", args=[first.pk]), True))
            urls.append((reverse(f"{label}_history", args=[first.pk]), False))
    return urls


def test_the_admin_is_refused_to_all_but_staff_and_changes_need_permissions(world):
    urls = admin_urls(world)
    assert len(urls) > 40
    before = fingerprint()
    for role in ("anonymous", "user"):
        client = world.client(role)
        for url, _ in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 302, f"{role} {method} {url}"
                assert response["Location"].startswith("/admin/login/"), url
    staff = world.client("staff")
    for url, changes in urls:
        if changes:
            assert staff.post(url, {"post": "yes"}).status_code == 403, url
    assert fingerprint() == before
