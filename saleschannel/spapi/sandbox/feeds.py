"""The sandbox's feeds: documents uploaded to its own pre-signed URLs, feeds queued and
applied after ``--feed-delay``, and processing reports that Amazon's schema accepts.

A ``JSON_LISTINGS_FEED`` that breaks ``listings-feed-schema-v2.json`` (or names another
seller) ends ``FATAL`` with a report saying why; one that is canceled while
``IN_QUEUE`` ends ``CANCELLED`` and changes nothing; otherwise each message is applied
as ``patchListingsItem`` would apply it, and the report names every message refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from saleschannel.spapi.params import format_time
from saleschannel.spapi.sandbox.listings import AVAILABILITY, Listing, ListingsBook, PatchRefused
from saleschannel.spapi.sandbox.static import model

LISTINGS_FEED = "JSON_LISTINGS_FEED"
UNKNOWN_SKU_CODE = "8541"


@dataclass
class Document:
    document_id: str
    content_type: str
    body: bytes | None = None
    compressed: bool = False


@dataclass
class SandboxFeed:
    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    document_id: str
    created: dt.datetime
    status: str = "IN_QUEUE"
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    result_id: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    claimed: bool = False

    def as_json(self) -> dict[str, Any]:
        feed: dict[str, Any] = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": list(self.marketplace_ids),
            "createdTime": format_time(self.created, "createdTime"),
            "processingStatus": self.status,
        }
        if self.started is not None:
            feed["processingStartTime"] = format_time(self.started, "processingStartTime")
        if self.ended is not None:
            feed["processingEndTime"] = format_time(self.ended, "processingEndTime")
        if self.result_id is not None:
            feed["resultFeedDocumentId"] = self.result_id
        return feed


@functools.cache
def _feed_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(model("listings-feed-schema-v2.json"))


class FeedsBook:
    """Documents and feeds. Not thread-safe: the app calls it under its lock."""

    def __init__(self, listings: ListingsBook, *, seller_id: str, delay: float) -> None:
        if delay < 0:
            raise ValueError("feed delay cannot be negative")
        self.listings = listings
        self.seller_id = seller_id
        self.delay = delay
        self.documents: dict[str, Document] = {}
        self.feeds: dict[str, SandboxFeed] = {}
        self._open: dict[str, SandboxFeed] = {}  # IN_QUEUE or IN_PROGRESS, oldest first
        self._ids = itertools.count(1)

    def clear(self) -> None:
        self.documents.clear()
        self.feeds.clear()
        self._open.clear()

    def new_document(self, content_type: str) -> Document:
        document = Document(f"amzn1.tortuga.sandbox.{next(self._ids):09d}", content_type)
        self.documents[document.document_id] = document
        return document

    def create(
        self,
        feed_type: str,
        marketplace_ids: list[str],
        document_id: str,
        now: dt.datetime,
        options: dict[str, str],
    ) -> SandboxFeed:
        feed = SandboxFeed(
            f"{next(self._ids):011d}", feed_type, marketplace_ids, document_id, now, options=options
        )
        self.feeds[feed.feed_id] = self._open[feed.feed_id] = feed
        return feed

    def cancel(self, feed: SandboxFeed, now: dt.datetime) -> bool:
        """Cancel a feed still in the queue; False when it is too late."""
        if feed.status != "IN_QUEUE":
            return False
        feed.status = "CANCELLED"
        feed.ended = now
        self._open.pop(feed.feed_id, None)
        return True

    def claim_due(self, now: dt.datetime) -> list[tuple[SandboxFeed, bytes]]:
        """Move the queued feeds on; claim, with their documents, those due to be processed
        (each once, whichever thread asks)."""
        due = []
        for feed in list(self._open.values()):
            if feed.claimed:
                continue
            waited = (now - feed.created).total_seconds()
            if feed.status == "IN_QUEUE" and waited >= self.delay / 2:
                feed.status, feed.started = "IN_PROGRESS", now
            if feed.status == "IN_PROGRESS" and waited >= self.delay:
                feed.claimed = True
                del self._open[feed.feed_id]
                document = self.documents.get(feed.document_id)
                due.append((feed, document.body if document and document.body is not None else b""))
        return due

    def check(self, feed: SandboxFeed, body: bytes) -> tuple[Any, str | None]:
        """The document parsed, or why the feed is FATAL. Reads no state that changes, so
        the app runs it outside its lock: a large feed holds no request up."""
        try:
            payload = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            payload = None
        return payload, self._fatal_reason(feed, payload)

    def finish(self, feed: SandboxFeed, payload: Any, problem: str | None, now: dt.datetime) -> None:
        """Apply a checked feed's messages (or end it FATAL) and store its report."""
        report: dict[str, Any]
        if problem is not None:
            feed.status = "FATAL"
            report = _report(self.seller_id, feed.feed_id, None, [_issue(None, None, "FATAL", problem)], 0, 0)
        else:
            feed.status = "DONE"
            report = self._apply(feed, payload, now)
        result = self.new_document("application/json")
        result.body = gzip.compress(json.dumps(report, ensure_ascii=False).encode("utf-8"))
        result.compressed = True
        feed.result_id, feed.ended = result.document_id, now

    def _fatal_reason(self, feed: SandboxFeed, payload: Any) -> str | None:
        if feed.feed_type != LISTINGS_FEED:
            return f"The sandbox processes only {LISTINGS_FEED} feeds."
        if payload is None:
            return "The feed document is missing or is not UTF-8 JSON."
        error = jsonschema.exceptions.best_match(_feed_validator().iter_errors(payload))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(document)"
            return f"The feed does not follow the JSON_LISTINGS_FEED schema at {where}: {error.message[:200]}"
        if payload["header"]["sellerId"] != self.seller_id:
            return "The feed's header.sellerId is not the seller who sent it."
        ids = [m["messageId"] for m in payload["messages"]]
        if len(ids) != len(set(ids)):
            return "A messageId appears more than once in the feed."
        return None

    def _apply(self, feed: SandboxFeed, payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
        issues: list[dict[str, Any]] = []
        touched: dict[str, Listing] = {}
        invalid = 0
        for message in payload["messages"]:
            problem = self._apply_message(feed.marketplace_ids[0], message, now, touched)
            if problem is not None:
                invalid += 1
                issues.append(problem)
        report_spec = payload["header"].get("report")
        items = None
        if report_spec is not None:
            items = [listing.item(list(report_spec["includedData"])) for listing in touched.values()]
        messages = len(payload["messages"])
        report = _report(self.seller_id, feed.feed_id, report_spec, issues, messages, invalid)
        if items is not None:
            report["items"] = items
        return report

    def _apply_message(
        self, market: str, message: dict[str, Any], now: dt.datetime, touched: dict[str, Listing]
    ) -> dict[str, Any] | None:
        sku, message_id = message["sku"], message["messageId"]
        listing = self.listings.get(market, sku)
        if listing is None:
            return _issue(
                message_id, sku, "ERROR", f"SKU '{sku}' is not a listing of the seller.", UNKNOWN_SKU_CODE
            )
        operation = message["operationType"]
        patches = message.get("patches") or []
        if operation in ("UPDATE", "PARTIAL_UPDATE"):
            patches = [
                {"op": "replace", "path": f"/attributes/{name}", "value": value}
                for name, value in message["attributes"].items()
            ]
        if operation == "DELETE":
            patches = [{"op": "delete", "path": f"/attributes/{AVAILABILITY}"}]
        try:
            self.listings.patch(listing, message.get("productType", listing.product_type), patches, now)
        except PatchRefused as exc:
            issue = exc.issue
            return _issue(
                message_id, sku, "ERROR", issue["message"], issue["code"], issue["attributeNames"][0]
            )
        touched[sku] = listing
        return None


def _issue(
    message_id: int | None,
    sku: str | None,
    severity: str,
    message: str,
    code: str = "10001",
    attribute: str | None = None,
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "code": code,
        "severity": "ERROR" if severity == "FATAL" else severity,
        "message": message,
    }
    if message_id is not None:
        issue["messageId"] = message_id
    if sku is not None:
        issue["sku"] = sku
    if attribute is not None:
        issue["attributeName"] = attribute
    return issue


def _report(
    seller_id: str,
    feed_id: str,
    spec: dict[str, Any] | None,
    issues: list[dict[str, Any]],
    messages: int,
    invalid: int,
) -> dict[str, Any]:
    header: dict[str, Any] = {"sellerId": seller_id, "version": "2.0", "feedId": feed_id}
    if spec is not None:
        header["report"] = spec
    return {
        "header": header,
        "issues": issues,
        "summary": {
            "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": messages,
            "messagesAccepted": messages - invalid,
            "messagesInvalid": invalid,
        },
    }
