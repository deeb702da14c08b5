"""The Feeds API 2021-06-30 as the sandbox answers it, and the pre-signed document URLs
(the upload and the download, which are no SP-API operation: no token, no usage plan)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from saleschannel.spapi.sandbox.feeds import SandboxFeed
from saleschannel.spapi.sandbox.listings_api import array, query
from saleschannel.spapi.sandbox.orders_api import Refused
from saleschannel.spapi.sandbox.wire import Request, Response, error_list, json_response

if TYPE_CHECKING:
    from saleschannel.spapi.sandbox.app import SandboxApp

DOCUMENT_ROUTE = "/_sandbox/feed-documents/"
STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
GET_FEEDS_PARAMS = frozenset(
    {
        "feedTypes",
        "marketplaceIds",
        "pageSize",
        "processingStatuses",
        "createdSince",
        "createdUntil",
        "nextToken",
    }
)

#: Counted in ``GET /_sandbox/calls`` once called.
OPERATIONS = (
    "createFeedDocument",
    "createFeed",
    "getFeed",
    "getFeeds",
    "cancelFeed",
    "getFeedDocument",
)


def routes(app: SandboxApp) -> list[tuple[str, str, Any, str]]:
    """(method, path pattern, handler, operationId) of the Feeds routes."""
    feed = r"/feeds/2021-06-30/feeds/(?P<feed_id>[^/]+)"
    return [
        (
            "POST",
            r"/feeds/2021-06-30/documents",
            lambda r, m: create_feed_document(app, r),
            "createFeedDocument",
        ),
        (
            "GET",
            r"/feeds/2021-06-30/documents/(?P<document_id>[^/]+)",
            lambda r, m: get_feed_document(app, r, m["document_id"]),
            "getFeedDocument",
        ),
        ("POST", r"/feeds/2021-06-30/feeds", lambda r, m: create_feed(app, r), "createFeed"),
        ("GET", r"/feeds/2021-06-30/feeds", lambda r, m: get_feeds(app, r), "getFeeds"),
        ("GET", feed, lambda r, m: get_feed(app, m["feed_id"]), "getFeed"),
        ("DELETE", feed, lambda r, m: cancel_feed(app, m["feed_id"]), "cancelFeed"),
    ]


def document_routes(app: SandboxApp) -> list[tuple[str, str, Any]]:
    """The pre-signed URLs' routes (control routes: no fault, no throttling)."""
    path = DOCUMENT_ROUTE + r"(?P<document_id>[^/]+)"
    return [
        ("PUT", path, lambda r, m: upload(app, r, m["document_id"])),
        ("GET", path, lambda r, m: download(app, m["document_id"])),
    ]


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise Refused("body: not JSON") from None
    if not isinstance(body, dict):
        raise Refused("body: expected an object")
    return body


def _no_query(request: Request) -> None:
    if request.query_string:
        raise Refused("this operation takes no query parameter")


def create_feed_document(app: SandboxApp, request: Request) -> Response:
    _no_query(request)
    content_type = _body(request).get("contentType")
    if not isinstance(content_type, str) or not content_type:
        raise Refused("contentType: required, a string")
    document = app.feeds.new_document(content_type)
    host = request.headers.get("host", "127.0.0.1")
    url = f"http://{host}{DOCUMENT_ROUTE}{document.document_id}"
    return json_response(201, {"feedDocumentId": document.document_id, "url": url})


def upload(app: SandboxApp, request: Request, document_id: str) -> Response:
    document = app.feeds.documents.get(document_id)
    if document is None or document.compressed:
        return json_response(403, {"error": "no such upload URL"})
    document.body = request.body
    return Response(200)


def download(app: SandboxApp, document_id: str) -> Response:
    app.tick()
    document = app.feeds.documents.get(document_id)
    if document is None or document.body is None:
        return json_response(404, {"error": "no such document"})
    return Response(200, document.body, {"content-type": "application/octet-stream"})


def create_feed(app: SandboxApp, request: Request) -> Response:
    _no_query(request)
    body = _body(request)
    feed_type, markets, document_id = (
        body.get("feedType"),
        body.get("marketplaceIds"),
        body.get("inputFeedDocumentId"),
    )
    if not isinstance(feed_type, str) or not isinstance(document_id, str):
        raise Refused("feedType and inputFeedDocumentId: required, strings")
    if (
        not isinstance(markets, list)
        or not 1 <= len(markets) <= 25
        or not all(isinstance(m, str) for m in markets)
    ):
        raise Refused("marketplaceIds: from 1 to 25 marketplace ids")
    options = body.get("feedOptions") or {}
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise Refused("feedOptions: an object of strings")
    if document_id not in app.feeds.documents:
        raise Refused("inputFeedDocumentId: no such document")
    feed = app.feeds.create(feed_type, markets, document_id, app.clock.now(), options)
    return json_response(202, {"feedId": feed.feed_id})


def _feed(app: SandboxApp, feed_id: str) -> SandboxFeed | Response:
    feed = app.feeds.feeds.get(feed_id)
    if feed is None:
        return json_response(404, error_list("NotFound", f"feed {feed_id} not found"))
    return feed


def get_feed(app: SandboxApp, feed_id: str) -> Response:
    feed = _feed(app, feed_id)
    return feed if isinstance(feed, Response) else json_response(200, feed.as_json())


def cancel_feed(app: SandboxApp, feed_id: str) -> Response:
    feed = _feed(app, feed_id)
    if isinstance(feed, Response):
        return feed
    if not app.feeds.cancel(feed, app.clock.now()):
        return json_response(
            400,
            error_list(
                "InvalidInput", f"feed {feed_id} is {feed.status}: only a feed IN_QUEUE can be canceled"
            ),
        )
    app.notify_feed_finished(feed.as_json())
    return Response(200)


def get_feeds(app: SandboxApp, request: Request) -> Response:
    params = query(request, GET_FEEDS_PARAMS)
    token = params.get("nextToken")
    if token is not None:
        if len(params) > 1:
            raise Refused("nextToken: send it alone")
        params = _decode(token)
    types = array(params, "feedTypes", required=True)
    markets = array(params, "marketplaceIds")
    statuses = array(params, "processingStatuses", STATUSES)
    size = params.get("pageSize", "10")
    if not size.isdigit() or not 1 <= int(size) <= 100:
        raise Refused("pageSize: from 1 to 100")
    offset = int(params.get("_offset", "0"))
    found = [
        f
        for f in sorted(app.feeds.feeds.values(), key=lambda f: (f.created, f.feed_id), reverse=True)
        if f.feed_type in types
        and (not markets or set(markets) & set(f.marketplace_ids))
        and (not statuses or f.status in statuses)
    ]
    page = found[offset : offset + int(size)]
    answer: dict[str, Any] = {"feeds": [f.as_json() for f in page]}
    if offset + int(size) < len(found):
        answer["nextToken"] = _encode({**params, "_offset": str(offset + int(size))})
    return json_response(200, answer)


def _encode(params: dict[str, str]) -> str:
    text = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode(token: str) -> dict[str, str]:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        return dict(part.split("=", 1) for part in text.split("&"))
    except (ValueError, UnicodeDecodeError):
        raise Refused("nextToken: not a token this operation gave") from None


def get_feed_document(app: SandboxApp, request: Request, document_id: str) -> Response:
    query(request, frozenset({"enableContentEncodingUrlHeader"}))
    document = app.feeds.documents.get(document_id)
    if document is None or document.body is None:
        return json_response(404, error_list("NotFound", f"document {document_id} not found"))
    host = request.headers.get("host", "127.0.0.1")
    answer = {"feedDocumentId": document_id, "url": f"http://{host}{DOCUMENT_ROUTE}{document_id}"}
    if document.compressed:
        answer["compressionAlgorithm"] = "GZIP"
    return json_response(200, answer)
