"""The dashboard under its Content-Security-Policy, in a real browser: every page works and the
browser reports no refusal; a script written into a page is refused; the lock in the browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from saleschannel.commerce.catalog.services import product_create
from tests.browser.support import log_in, shot
from tests.dashboard import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def refusals(page) -> Iterator[list[str]]:
    """What the browser refused under the policy (its console says so), and script errors."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: seen.append(f"script error: {e}"))
    yield seen


def test_every_page_works_under_the_policy_with_nothing_refused(page, live_server, store_defaults, refusals):
    factories.user_make("maria", manager=True)
    account = factories.account_make("EU shop")
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=10)
    log_in(page, live_server, "maria")
    paths = ["/", f"/accounts/{account.pk}/", "/amazon-orders/", "/orders/", "/products/", "/products/SKU-1/",
             "/logs/errors/", "/logs/sync/", "/logs/outbox/", "/password/", f"/accounts/connect/{account.pk}/"]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert refusals == [], (path, refusals)
    # The order settings' script still runs: choosing "enabled" enables the other fields at once.
    page.goto(f"{live_server.url}/accounts/{account.pk}/settings/")
    assert page.locator('[name="store"]').is_disabled()
    page.select_option('[name="import_orders"]', "enabled")
    assert not page.locator('[name="store"]').is_disabled()
    # The disconnect button still asks first (a data-confirm read by app.js, not an inline handler).
    page.goto(f"{live_server.url}/accounts/connect/{account.pk}/")
    questions: list[str] = []

    def dismiss(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("#disconnect")
    page.wait_for_timeout(300)
    assert questions and "Forget the credentials of EU shop?" in questions[0]
    assert page.url.endswith(f"/accounts/connect/{account.pk}/")
    shot(page, "connection-under-csp")
    assert refusals == []


def test_a_script_written_into_a_page_is_refused(page, live_server, store_defaults, refusals):
    """The proof that the policy is in force: the same login page, with an inline script and an
    inline style added on the way, runs neither."""

    def inject(route: Any) -> None:
        response = route.fetch()
        body = response.text().replace(
            "</body>", '<script>document.title = "ran";</script><p id="painted" style="color: rgb(255, 0, 0)">x</p>'
                       "</body>")
        route.fulfill(response=response, body=body)

    page.route("**/login/", inject)
    page.goto(live_server.url + "/login/")
    assert page.title() != "ran"
    assert page.eval_on_selector("#painted", "e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert any("script" in text for text in refusals) and any("style" in text for text in refusals), refusals


def test_the_lockout_page_in_the_browser(page, live_server, store_defaults, settings):
    settings.AXES_FAILURE_LIMIT = 3
    factories.user_make("sam")
    for _ in range(3):
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "sam")
        page.fill("#id_password", "wrong password")
        page.click("button[type=submit]")
    assert page.locator("#locked-out").is_visible()
    assert "Too many failed attempts" in page.locator("h1").inner_text()
    shot(page, "locked-out")
