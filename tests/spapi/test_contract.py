"""The client and the sandbox against Amazon's own models.

Every answer the sandbox gives anywhere in this suite is validated against the
models by the autouse fixture in ``conftest``; every request a client built by
``make_client`` sends is checked by ``ModelChecked``. The tests here cover what
that leaves: every parameter the model defines, Amazon's static sandbox cases, and
that the checks themselves can fail.
"""

import copy
import datetime as dt
import json

import httpx
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saleschannel.spapi import ConfirmShipmentItem, ConfirmShipmentPackage, Order, SearchPage, UnreadableOrder
from saleschannel.spapi.models import read_get_order_response, read_order
from tests.spapi import amazon, contract
from tests.spapi.conftest import BASE, TOKEN_URL, Recorder
from tests.spapi.test_models import assert_no_loss, successful_static_bodies


def query_names(recorder, operation_path):
    names = set()
    for request, _ in recorder.exchanges:
        if request.url.path.endswith(operation_path):
            names |= set(httpx.QueryParams(request.url.query.decode()).keys())
    return names


def model_query_names(model_name, operation_id):
    op = amazon.operation(amazon.model(model_name), operation_id)
    return {p["name"] for p in op["parameters"] if p["in"] == "query"}


def test_the_client_can_send_every_parameter_the_model_defines_and_only_those(app, make_client, clock):
    app.generate(30)
    clock.advance(600)
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    now = clock.now()
    every_status = ["PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED"]
    list(
        client.search_orders(
            marketplace_ids=["ATVPDKIKX0DER", "A1PA6795UKMFR9"],
            created_after=now - dt.timedelta(days=1),
            created_before=now - dt.timedelta(minutes=3),
            fulfillment_statuses=every_status,
            fulfilled_by=["AMAZON", "MERCHANT"],
            max_results_per_page=7,
            included_data=list(amazon_included()),
        )
    )
    list(
        client.search_orders(
            marketplace_ids=["ATVPDKIKX0DER"],
            last_updated_after=now - dt.timedelta(days=1),
            last_updated_before=now - dt.timedelta(minutes=2),
            max_results_per_page=5,
        )
    )
    assert query_names(recorder, "/orders/2026-01-01/orders") == model_query_names(
        "orders_2026-01-01.json", "searchOrders"
    )
    order_id = app.store.all()[0]["orderId"]
    client.get_order(order_id, included_data=["BUYER", "TAX"])
    assert query_names(recorder, order_id) == model_query_names("orders_2026-01-01.json", "getOrder")


def amazon_included():
    op = amazon.operation(amazon.orders_model(), "searchOrders")
    return next(p for p in op["parameters"] if p["name"] == "includedData")["items"]["enum"]


def test_the_confirm_shipment_body_follows_the_v0_model_with_every_field(app, make_client):
    order = {
        "orderId": "111-2222222-3333333",
        "createdTime": "2026-06-01T10:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1VC38T7YXB528"},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
        "orderItems": [{"orderItemId": "9", "quantityOrdered": 1, "product": {}}],
    }
    httpx.Client(transport=app.transport()).put(f"{BASE}/_sandbox/orders/111-2222222-3333333", json=order)
    recorder = Recorder(app.transport())
    client = make_client(recorder)
    package = ConfirmShipmentPackage(
        package_reference_id="1",
        carrier_code="Other",
        carrier_name="Yamato",
        tracking_number="T1",
        ship_date=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
        shipping_method="Takkyubin",
        ship_from_supply_source_id="057d3fcc",
        items=(ConfirmShipmentItem("9", 1, ("0987654321",)),),
    )
    client.confirm_shipment(
        "111-2222222-3333333",
        marketplace_id="A1VC38T7YXB528",
        package=package,
        cod_collection_method="DirectPayment",
    )
    ((request, response),) = [(q, r) for q, r in recorder.exchanges if "shipmentConfirmation" in q.url.path]
    body = json.loads(request.content)
    amazon.validate("ordersV0.json", "ConfirmShipmentRequest", body)
    defined = amazon.v0_model()["definitions"]["PackageDetail"]["properties"]
    assert set(body["packageDetail"]) == set(defined)
    assert response.status_code == 204


def static_request(case_params):
    """The query of a static case: arrays comma-separated, as the client sends them."""
    params = {}
    for name, wrapped in case_params.items():
        value = wrapped["value"]
        params[name] = ",".join(value) if isinstance(value, list) else str(value)
    return params


@pytest.mark.parametrize(
    "code, case",
    amazon.static_cases(amazon.orders_model(), "searchOrders"),
    ids=lambda c: c if isinstance(c, str) else "",
)
def test_amazons_static_search_cases_are_served_and_parsed_without_loss(app, code, case):
    answer = raw(app).get("/orders/2026-01-01/orders", params=static_request(case["request"]["parameters"]))
    assert answer.status_code == int(code) and answer.json() == case["response"]
    if code == "200":
        page = SearchPage.parse(copy.deepcopy(answer.json()))
        assert len(page.orders) == len(case["response"]["orders"])
        for order, original in zip(page.orders, case["response"]["orders"]):
            assert isinstance(order, Order)
            assert_no_loss(order, original)
        assert page.next_token == case["response"].get("pagination", {}).get("nextToken")


@pytest.mark.parametrize(
    "code, case",
    amazon.static_cases(amazon.orders_model(), "getOrder"),
    ids=lambda c: c if isinstance(c, str) else "",
)
def test_amazons_static_get_order_cases_are_served_and_parsed_without_loss(app, code, case):
    params = dict(case["request"]["parameters"])
    order_id = params.pop("orderId")["value"]
    answer = raw(app).get(f"/orders/2026-01-01/orders/{order_id}", params=static_request(params))
    assert answer.status_code == int(code) and answer.json() == case["response"]
    if code == "200":
        order = read_get_order_response(copy.deepcopy(answer.json()))
        assert isinstance(order, Order)
        assert_no_loss(order, case["response"]["order"])


@pytest.mark.parametrize("code, case", amazon.static_cases(amazon.v0_model(), "confirmShipment"))
def test_amazons_static_confirm_shipment_cases_are_served(app, code, case):
    params = case["request"]["parameters"]
    answer = raw(app).post(
        f"/orders/v0/orders/{params['orderId']['value']}/shipmentConfirmation", json=params["body"]["value"]
    )
    assert answer.status_code == int(code)
    if answer.content:
        assert answer.json() == case["response"]


def raw(app):
    http = httpx.Client(transport=app.transport(), base_url=BASE)
    token = http.post(
        TOKEN_URL,
        data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"},
    )
    http.headers["x-amz-access-token"] = token.json()["access_token"]
    return http


def test_the_checks_can_fail():
    with pytest.raises(AssertionError, match="defines no parameter nextToken"):
        contract.check_request(
            "GET", "/orders/2026-01-01/orders", "createdAfter=2026-01-01T00:00:00Z&nextToken=x", b""
        )
    with pytest.raises(AssertionError, match="not UTC with Z"):
        contract.check_request(
            "GET", "/orders/2026-01-01/orders", "createdAfter=2026-01-01T00:00:00%2B02:00", b""
        )
    with pytest.raises(AssertionError, match="outside"):
        contract.check_request("GET", "/orders/2026-01-01/orders/1", "includedData=BUYER,ALL", b"")
    with pytest.raises(AssertionError, match="orders"):
        contract.check_answer("GET", "/orders/2026-01-01/orders", 200, b'{"order": []}')
    with pytest.raises(AssertionError, match="defines no 418"):
        contract.check_answer("GET", "/orders/2026-01-01/orders", 418, b"{}")
    with pytest.raises(jsonschema.ValidationError, match="'packageDetail' is a required property"):
        contract.check_request(
            "POST", "/orders/v0/orders/1/shipmentConfirmation", "", b'{"marketplaceId": "X"}'
        )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@st.composite
def damaged_orders(draw):
    """One of Amazon's static orders with one part deleted or replaced by any JSON."""
    static_orders = list(successful_static_bodies())
    order = copy.deepcopy(draw(st.sampled_from(static_orders)))
    path = draw(st.sampled_from([p for p in _paths(order) if p]))
    parent = order
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON_VALUES)
    return order


@settings(max_examples=60, deadline=None)
@given(damaged_orders())
def test_a_damaged_order_is_read_or_handed_on_never_raised(damaged):
    result = read_order(damaged)
    assert isinstance(result, (Order, UnreadableOrder))
    assert result.raw == damaged
    if isinstance(result, UnreadableOrder):
        assert result.error and result.order_id == (
            damaged.get("orderId") if isinstance(damaged.get("orderId"), str) else None
        )
