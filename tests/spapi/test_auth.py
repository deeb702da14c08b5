import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from saleschannel.spapi import AuthFailed, exchange_authorization_code
from tests.spapi.conftest import BASE, CLIENT_SECRET, REFRESH_TOKEN, TOKEN_URL, Recorder


def token_calls(recorder):
    return [q for q, r in recorder.exchanges if q.url.path == "/auth/o2/token"]


def order_body():
    return {
        "orderId": "111-1111111-1111111",
        "createdTime": "2026-06-01T10:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "orderItems": [{"orderItemId": "1", "quantityOrdered": 1, "product": {"sellerSku": "A"}}],
    }


def put(app, order):
    return httpx.Client(transport=app.transport()).put(
        f"{BASE}/_sandbox/orders/{order['orderId']}", json=order
    )


def test_refresh_token_grant_is_form_encoded_with_the_credentials(app, make_client):
    put(app, order_body())
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    client.get_order("111-1111111-1111111")
    (request,) = token_calls(recorder)
    form = parse_qs(request.content.decode())
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == [REFRESH_TOKEN]
    assert form["client_secret"] == [CLIENT_SECRET]
    api = [q for q, r in recorder.exchanges if q.url.path.startswith("/orders/")]
    assert api[0].headers["x-amz-access-token"].startswith("Atza|")


def test_the_access_token_is_cached_until_a_minute_before_it_expires(app, make_client, clock):
    put(app, order_body())
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    client.get_order("111-1111111-1111111")
    clock.advance(3600 - 61)
    client.get_order("111-1111111-1111111")
    assert len(token_calls(recorder)) == 1
    clock.advance(2)
    client.get_order("111-1111111-1111111")
    assert len(token_calls(recorder)) == 2


def test_threads_share_one_refresh(app, make_client):
    put(app, order_body())
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    errors = []

    def call():
        try:
            client.get_order("111-1111111-1111111")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(token_calls(recorder)) == 1


def test_a_refused_refresh_raises_auth_failed_with_amazons_words_and_no_secret(app, make_client):
    httpx.Client(transport=app.transport()).post(
        f"{BASE}/_sandbox/revoke", json={"refresh_token": REFRESH_TOKEN}
    )
    client = make_client(app.transport())
    with pytest.raises(AuthFailed) as info:
        client.get_order("111-1111111-1111111")
    text = str(info.value)
    assert info.value.code == "invalid_grant"
    assert "The request has an invalid grant parameter : refresh_token" in text
    assert REFRESH_TOKEN not in text and CLIENT_SECRET not in text and "Atza|" not in text
    assert REFRESH_TOKEN not in repr(client._tokens._credentials)


def test_revoking_mid_run_ends_in_auth_failed_after_one_refresh(app, make_client):
    put(app, order_body())
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    client.get_order("111-1111111-1111111")
    httpx.Client(transport=app.transport()).post(
        f"{BASE}/_sandbox/revoke", json={"refresh_token": REFRESH_TOKEN}
    )
    with pytest.raises(AuthFailed) as info:
        client.get_order("111-1111111-1111111")
    assert info.value.code == "invalid_grant"
    assert len(token_calls(recorder)) == 2


@pytest.mark.parametrize(
    "form, error",
    [
        ({}, "invalid_request"),
        ({"grant_type": ""}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "client_id": "x", "client_secret": "y"}, "invalid_request"),
        (
            {"grant_type": "authorization_code", "client_id": "x", "client_secret": "y", "code": "made-up"},
            "invalid_grant",
        ),
    ],
)
def test_the_token_endpoint_answers_in_lwas_error_shape(app, form, error):
    response = httpx.Client(transport=app.transport()).post(TOKEN_URL, data=form)
    assert response.status_code == 400
    assert set(response.json()) == {"error", "error_description"} and response.json()["error"] == error


def test_consent_page_then_authorization_code_exchange(app):
    http = httpx.Client(transport=app.transport())
    params = {
        "application_id": "amzn1.sp.solution.x",
        "state": "st-123",
        "redirect_uri": "https://store.test/cb",
    }
    page = http.get(f"{BASE}/apps/authorize/consent", params=params)
    assert page.status_code == 200 and "Approve" in page.text
    approved = http.post(f"{BASE}/apps/authorize/consent", data={**params, "decision": "approve"})
    assert approved.status_code == 302
    back = parse_qs(urlsplit(approved.headers["location"]).query)
    assert back["state"] == ["st-123"] and back["selling_partner_id"] == [app.seller_id]
    grant = exchange_authorization_code(
        code=back["spapi_oauth_code"][0],
        client_id="cid",
        client_secret="csecret",
        redirect_uri="https://store.test/cb",
        token_url=TOKEN_URL,
        transport=app.transport(),
    )
    assert grant.refresh_token and grant.refresh_token.startswith("Atzr|") and grant.access_token
    with pytest.raises(AuthFailed) as info:  # a code is good for one exchange
        exchange_authorization_code(
            code=back["spapi_oauth_code"][0],
            client_id="cid",
            client_secret="csecret",
            token_url=TOKEN_URL,
            transport=app.transport(),
        )
    assert info.value.code == "invalid_grant"
    assert back["spapi_oauth_code"][0] not in str(info.value) and "csecret" not in str(info.value)


def test_denied_consent_redirects_with_an_error(app):
    http = httpx.Client(transport=app.transport())
    params = {
        "application_id": "a",
        "state": "s",
        "redirect_uri": "https://store.test/cb?x=1",
        "decision": "deny",
    }
    answer = http.post(f"{BASE}/apps/authorize/consent", data=params)
    assert answer.headers["location"] == "https://store.test/cb?x=1&state=s&error=access_denied"


def test_a_cut_off_or_failing_token_answer_is_retried(make_client):
    answers = [
        httpx.Response(503),
        httpx.Response(200, content=b'{"access_token": "Atza|x", "expi'),
        httpx.Response(200, json={"access_token": "Atza|fine", "expires_in": 3600}),
    ]
    seen = []

    def handle(request):
        if request.url.path == "/auth/o2/token":
            return answers.pop(0)
        seen.append(request.headers["x-amz-access-token"])
        return httpx.Response(404, json={"errors": [{"code": "NotFound", "message": "no"}]})

    client = make_client(httpx.MockTransport(handle))
    with pytest.raises(Exception) as info:
        client.get_order("1")
    assert type(info.value).__name__ == "NotFound"
    assert seen == ["Atza|fine"] and client.stats.snapshot().calls["token"] == 3


def test_secrets_and_tokens_stay_out_of_logs(app, make_client, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    put(app, order_body())
    answers = iter([httpx.Response(503), None])
    inner = app.transport()

    def flaky(request):
        if request.url.path.startswith("/orders/") and next(answers) is not None:
            return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable", "message": "later"}]})
        return inner.handle_request(request)

    client = make_client(httpx.MockTransport(flaky))
    client.get_order("111-1111111-1111111")
    text = caplog.text
    assert "retrying" in text and "ServiceUnavailable" in text
    assert REFRESH_TOKEN not in text and CLIENT_SECRET not in text and "Atza|" not in text
