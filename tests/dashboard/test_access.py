"""Every page needs a signed-in staff user; changes need a manager, a POST and a CSRF token."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.dashboard import factories

pytestmark = pytest.mark.django_db


def page_urls(account, order) -> list[str]:
    return [
        reverse("dashboard:home"),
        reverse("dashboard:store_dashboard", args=[account.pk]),
        reverse("dashboard:order_settings", args=[account.pk]),
        reverse("dashboard:amazon_orders"),
        reverse("dashboard:amazon_order", args=[order.pk]),
        reverse("dashboard:orders"),
        reverse("dashboard:products"),
        reverse("dashboard:errors"),
        reverse("dashboard:sync_log"),
    ]


def action_urls(account, order) -> list[str]:
    return [
        reverse("dashboard:sync_now", args=[account.pk]),
        reverse("dashboard:amazon_order_import", args=[order.pk]),
        reverse("dashboard:amazon_order_retry", args=[order.pk]),
        reverse("dashboard:amazon_order_address", args=[order.pk]),
        reverse("dashboard:order_settings", args=[account.pk]),
    ]


def test_anonymous_is_sent_to_the_login_page_from_every_page(account):
    order = factories.amazon_order_make(account, buyer="Secret Buyer")
    client = Client()
    for url in page_urls(account, order):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url
        assert b"Secret Buyer" not in response.content


def test_anonymous_actions_change_nothing(account):
    order = factories.amazon_order_make(account)
    client = Client()
    for url in action_urls(account, order):
        response = client.post(url, {"import_orders": "enabled", "store": "default"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    account.order_settings.refresh_from_db()
    assert account.order_settings.import_orders == "disabled"


def test_staff_sees_every_page(staff_client, account):
    order = factories.amazon_order_make(account)
    for url in page_urls(account, order):
        assert staff_client.get(url).status_code == 200, url


def test_a_user_without_staff_rights_is_refused(account):
    order = factories.amazon_order_make(account)
    user = factories.user_make("visitor", staff=False)
    client = Client()
    client.force_login(user)
    for url in page_urls(account, order):
        assert client.get(url).status_code == 403, url


def test_staff_may_not_trigger_actions_or_change_settings(staff_client, account):
    order = factories.amazon_order_make(account)
    for url in action_urls(account, order):
        assert staff_client.post(url, {"import_orders": "enabled", "store": "default"}).status_code == 403, url
    account.order_settings.refresh_from_db()
    assert account.order_settings.import_orders == "disabled"
    assert not account.settings_changes.exists()


def test_actions_refuse_get(manager_client, account):
    order = factories.amazon_order_make(account)
    for url in action_urls(account, order)[:4]:
        assert manager_client.get(url).status_code == 405, url


def test_settings_form_without_csrf_token_is_refused(manager, account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("dashboard:order_settings", args=[account.pk])
    response = client.post(url, {"import_orders": "enabled", "store": "default"})
    assert response.status_code == 403
    account.order_settings.refresh_from_db()
    assert account.order_settings.import_orders == "disabled"


def test_every_form_carries_a_csrf_token(manager_client, account):
    order = factories.amazon_order_make(account)
    for url in (reverse("dashboard:order_settings", args=[account.pk]), reverse("dashboard:amazon_order", args=[order.pk])):
        html = manager_client.get(url).content.decode()
        assert html.count('method="post"') == html.count("csrfmiddlewaretoken"), url


def test_login_and_logout(db):
    factories.user_make("lena")
    client = Client(enforce_csrf_checks=False)
    page = client.get("/login/")
    assert page.status_code == 200 and b"Log in" in page.content
    wrong = client.post("/login/", {"username": "lena", "password": "nope"})
    assert wrong.status_code == 200 and b"Please enter a correct username and password" in wrong.content
    ok = client.post("/login/", {"username": "lena", "password": factories.PASSWORD, "next": "/orders/"})
    assert ok.status_code == 302 and ok["Location"] == "/orders/"
    assert client.get("/orders/").status_code == 200
    assert client.get("/logout/").status_code == 405  # a link cannot log anyone out
    out = client.post("/logout/")
    assert out.status_code == 302 and out["Location"] == "/login/"
    assert client.get("/orders/").status_code == 302


def test_login_refuses_a_next_url_on_another_host(db):
    factories.user_make("lena")
    client = Client()
    ok = client.post("/login/", {"username": "lena", "password": factories.PASSWORD, "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_role_is_shown(staff_client, manager_client, account):
    assert b'class="role">Staff<' in staff_client.get("/").content
    assert b'class="role">Manager<' in manager_client.get("/").content
    assert b"Sync now" not in staff_client.get(reverse("dashboard:store_dashboard", args=[account.pk])).content


def test_refusals_and_missing_pages_have_the_dashboards_look(staff_client, account):
    order = factories.amazon_order_make(account)
    refused = staff_client.post(reverse("dashboard:amazon_order_import", args=[order.pk]))
    assert refused.status_code == 403 and b"Only managers may do this." in refused.content
    missing = staff_client.get("/amazon-orders/999999/")
    assert missing.status_code == 404 and b"There is no such page here." in missing.content
