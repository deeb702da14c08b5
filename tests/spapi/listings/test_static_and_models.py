"""Amazon's static sandbox cases of the two models are served as Amazon serves them and
the client parses each; Amazon's examples parse; strict parsing refuses what breaks the
models and keeps the rest."""

from __future__ import annotations

import copy
import json

import pytest

from saleschannel.spapi.feeds import Feed, FeedDocument, FeedDocumentUpload, FeedsPage, ProcessingReport
from saleschannel.spapi.feeds.models import parse_feed_id
from saleschannel.spapi.listings import ItemSearchPage, ListingsItem, SubmissionResult
from saleschannel.spapi.models import ModelError
from saleschannel.spapi.sandbox.static import model
from tests.spapi.listings import amazon_listings
from tests.spapi.listings.amazon_listings import FEEDS, LISTINGS
from tests.spapi.test_contract import raw

PARSERS = {
    "getListingsItem": ListingsItem.parse,
    "patchListingsItem": SubmissionResult.parse,
    "searchListingsItems": ItemSearchPage.parse,
    "createFeedDocument": FeedDocumentUpload.parse,
    "createFeed": parse_feed_id,
    "getFeed": Feed.parse,
    "getFeeds": FeedsPage.parse,
    "getFeedDocument": FeedDocument.parse,
}
ROUTES = {
    "getListingsItem": ("GET", "/listings/2021-08-01/items/{sellerId}/{sku}"),
    "patchListingsItem": ("PATCH", "/listings/2021-08-01/items/{sellerId}/{sku}"),
    "searchListingsItems": ("GET", "/listings/2021-08-01/items/{sellerId}"),
    "createFeedDocument": ("POST", "/feeds/2021-06-30/documents"),
    "createFeed": ("POST", "/feeds/2021-06-30/feeds"),
    "getFeed": ("GET", "/feeds/2021-06-30/feeds/{feedId}"),
    "getFeeds": ("GET", "/feeds/2021-06-30/feeds"),
    "cancelFeed": ("DELETE", "/feeds/2021-06-30/feeds/{feedId}"),
    "getFeedDocument": ("GET", "/feeds/2021-06-30/documents/{feedDocumentId}"),
}


def named_cases():
    for name in (LISTINGS, FEEDS):
        for operation_id in ROUTES:
            try:
                cases = amazon_listings.static_cases(name, operation_id)
            except KeyError:
                continue
            for code, case in cases:
                values = {k: v["value"] for k, v in case["request"]["parameters"].items() if "value" in v}
                if values:
                    yield pytest.param(operation_id, code, values, case.get("response"), id=f"{operation_id}-{code}")


def _request(operation_id, values):
    method, template = ROUTES[operation_id]
    values = dict(values)
    path = template.replace("{sellerId}", values.pop("sellerId", "A1SANDBOXSELLER"))
    for name in ("sku", "feedId", "feedDocumentId"):
        path = path.replace("{" + name + "}", str(values.pop(name, "ANY")))
    body = values.pop("body", None)
    params = {k: ",".join(v) if isinstance(v, list) else str(v) for k, v in values.items()}
    if operation_id in ("getListingsItem", "patchListingsItem", "searchListingsItems"):
        params.setdefault("marketplaceIds", "ATVPDKIKX0DER")
    return method, path, params, body


@pytest.mark.parametrize("operation_id, code, values, response", list(named_cases()))
def test_amazons_static_cases_are_served_and_parsed(app, operation_id, code, values, response):
    method, path, params, body = _request(operation_id, values)
    if operation_id == "patchListingsItem" and body is None:
        body = {"productType": "PRODUCT", "patches": [{"op": "delete", "path": "/attributes/x"}]}
    answer = raw(app).request(method, path, params=params, json=body)
    assert answer.status_code == int(code)
    if response is None:
        return
    assert answer.json() == response
    if code.startswith("2") and operation_id in PARSERS:
        PARSERS[operation_id](copy.deepcopy(answer.json()))


def test_the_generic_static_answers_parse_too():
    """The cases that name no parameter stand for any request; the client parses them."""
    for name in (LISTINGS, FEEDS):
        for operation_id, parse in PARSERS.items():
            try:
                cases = amazon_listings.static_cases(name, operation_id)
            except KeyError:
                continue
            for code, case in cases:
                if code.startswith("2") and case.get("response") is not None:
                    parse(copy.deepcopy(case["response"]))


def test_amazons_processing_report_example_parses_and_maps_back():
    example = json.loads(json.dumps(model("listings-feed-processing-report-schema-v2.example.json")))
    amazon_listings.validate_schema(amazon_listings.REPORT_SCHEMA, example)
    report = ProcessingReport.parse(example)
    assert report.feed_id == "1234567890" and not report.accepted(4) and not report.accepted(5) and report.accepted(1)
    assert report.issues_of(5)[0].attribute_name == "purchasable_offer.our_price"
    assert report.item("My-SKU-B").quantity() == 10 and report.item("My-SKU-C").quantity() is None


def test_one_bad_report_line_never_loses_the_others():
    example = json.loads(json.dumps(model("listings-feed-processing-report-schema-v2.example.json")))
    example["issues"].insert(1, {"messageId": "four", "severity": "ERROR", "message": "x"})
    example["issues"].append({"severity": "LOUD"})
    report = ProcessingReport.parse(example)
    assert len(report.issues) == 3 and len(report.unreadable) == 2
    assert "messageId" in report.unreadable[0].error


@pytest.mark.parametrize(
    "damage, where",
    [
        (lambda i: i.pop("sku"), "item.sku"),
        (lambda i: i["summaries"][0].pop("productType"), "productType"),
        (lambda i: i["summaries"][0].__setitem__("status", ["SOLD_OUT"]), "status"),
        (lambda i: i["fulfillmentAvailability"][0].__setitem__("quantity", -1), "quantity"),
        (lambda i: i["fulfillmentAvailability"][0].__setitem__("quantity", True), "quantity"),
        (lambda i: i["issues"][0].pop("categories"), "categories"),
        (lambda i: i["issues"][0].__setitem__("severity", "FATAL"), "severity"),
    ],
)
def test_a_listing_that_breaks_the_model_is_refused_with_the_path(damage, where):
    item = copy.deepcopy(amazon_listings.static_cases(LISTINGS, "getListingsItem")[0][1]["response"])
    item.setdefault("fulfillmentAvailability", [{"fulfillmentChannelCode": "DEFAULT", "quantity": 1}])
    item.setdefault("issues", [{"code": "1", "message": "m", "severity": "ERROR", "categories": []}])
    ListingsItem.parse(copy.deepcopy(item))
    damage(item)
    with pytest.raises(ModelError, match=where):
        ListingsItem.parse(item)


def test_a_submission_result_refuses_an_unknown_status():
    with pytest.raises(ModelError):
        SubmissionResult.parse({"sku": "A", "status": "MAYBE", "submissionId": "1"})
