"""The Feeds API 2021-06-30 operations of ``SpApiClient``, and the transfers to and from
Amazon's pre-signed document URLs.

A mixin, so the operations share the client's call loop (rate limiter, token, retries,
errors). The transfers carry no access token and spend no usage plan (the URL is the
authority), but are retried the same way.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any
from urllib.parse import quote

import httpx

from saleschannel.spapi.clock import Clock
from saleschannel.spapi.errors import BadResponse, SpApiError, Transient
from saleschannel.spapi.feeds.models import (
    JSON_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    PROCESSING_STATUSES,
    Feed,
    FeedDocument,
    FeedDocumentUpload,
    FeedsPage,
    parse_feed_id,
)
from saleschannel.spapi.feeds.report import ProcessingReport
from saleschannel.spapi.listings.operations import parsed
from saleschannel.spapi.params import csv, format_time
from saleschannel.spapi.retry import RetryPolicy, run_with_retries
from saleschannel.spapi.stats import CallStats

FEEDS_PATH = "/feeds/2021-06-30/feeds"
FEED_PATH = "/feeds/2021-06-30/feeds/{feedId}"
DOCUMENTS_PATH = "/feeds/2021-06-30/documents"
DOCUMENT_PATH = "/feeds/2021-06-30/documents/{feedDocumentId}"
UPLOAD_CHUNK = 64 * 1024
#: How far before its first try a feed found after an unsure createFeed may have been
#: created: the gap between our clock and Amazon's.
CREATED_MARGIN = dt.timedelta(seconds=5)


class FeedsOperations:
    """Feeds operations; mixed into ``SpApiClient``, which supplies the call loop."""

    clock: Clock
    stats: CallStats
    _http: httpx.Client
    _retry: RetryPolicy
    _rng: random.Random

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        deadline: float | None = None,
    ) -> Any:
        raise NotImplementedError

    def _error(self, operation: str, response: httpx.Response, *, first: bool) -> SpApiError:
        raise NotImplementedError

    def _attempt(
        self,
        operation: str,
        method: str,
        path: str,
        params: dict[str, str] | None,
        json_body: dict[str, Any] | None,
        deadline: float | None,
        *,
        first: bool,
    ) -> Any:
        raise NotImplementedError

    def _note_retry(self, operation: str, error: SpApiError, wait: float) -> None:
        raise NotImplementedError

    def create_feed_document(
        self, *, content_type: str = JSON_CONTENT_TYPE, deadline: float | None = None
    ) -> FeedDocumentUpload:
        """Ask where to upload a feed document."""
        body = self._call(
            "createFeedDocument",
            "POST",
            DOCUMENTS_PATH,
            json_body={"contentType": content_type},
            deadline=deadline,
        )
        return parsed(FeedDocumentUpload.parse, body, "createFeedDocument")

    def upload_feed_document(
        self,
        upload: FeedDocumentUpload,
        source: IO[bytes] | bytes,
        *,
        content_type: str = JSON_CONTENT_TYPE,
        deadline: float | None = None,
    ) -> None:
        """PUT the document to its pre-signed URL, streamed from ``source`` (read from its
        start at each try, so it must be seekable)."""

        def attempt(n: int) -> None:
            content = source if isinstance(source, bytes) else _chunks(source)
            size = len(source) if isinstance(source, bytes) else _size(source)
            response = self._transfer(
                "uploadFeedDocument", "PUT", upload.url, content, content_type, {"content-length": str(size)}
            )
            if response.status_code >= 300:
                raise self._error("uploadFeedDocument", response, first=False)

        self._transfer_with_retries("uploadFeedDocument", attempt, deadline)

    def create_feed(
        self,
        *,
        input_feed_document_id: str,
        marketplace_ids: Sequence[str],
        feed_type: str = JSON_LISTINGS_FEED,
        feed_options: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> str:
        """Start processing an uploaded document; returns the feed id."""
        if not input_feed_document_id:
            raise ValueError("inputFeedDocumentId is empty")
        ids = csv(marketplace_ids, "marketplaceIds").split(",")
        body: dict[str, Any] = {
            "feedType": feed_type,
            "marketplaceIds": ids,
            "inputFeedDocumentId": input_feed_document_id,
        }
        if feed_options:
            body["feedOptions"] = dict(feed_options)
        started = self.clock.now()
        unsure = False  # a try failed after Amazon may have created the feed

        def attempt(n: int) -> str:
            if unsure:
                found = self._feed_created_since(started, feed_type, ids, deadline)
                if found is not None:
                    return found
            answer = self._attempt("createFeed", "POST", FEEDS_PATH, None, body, deadline, first=n == 0)
            return parsed(parse_feed_id, answer, "createFeed")

        def on_retry(error: SpApiError, wait: float) -> None:
            nonlocal unsure
            self._note_retry("createFeed", error, wait)
            unsure = unsure or isinstance(error, Transient | BadResponse)

        return run_with_retries(
            attempt, policy=self._retry, clock=self.clock, rng=self._rng, deadline=deadline, on_retry=on_retry
        )

    def _feed_created_since(
        self, started: dt.datetime, feed_type: str, marketplace_ids: list[str], deadline: float | None
    ) -> str | None:
        """The feed a try that failed on the way back may have created: one of this type
        and marketplaces created since just before the first try and not yet finished
        (createFeed is not idempotent; T9 keeps one feed in flight per marketplace, so a
        feed in flight created since then is this one)."""
        since = started - CREATED_MARGIN
        page = next(
            self.get_feeds(
                feed_types=[feed_type],
                marketplace_ids=marketplace_ids,
                created_since=since,
                deadline=deadline,
            )
        )
        for feed in page.feeds:
            if feed.created_time >= since and (not feed.finished or feed.created_time >= started):
                return feed.feed_id
        return None

    def get_feed(self, feed_id: str, *, deadline: float | None = None) -> Feed:
        body = self._call(
            "getFeed", "GET", FEED_PATH.format(feedId=_segment(feed_id, "feedId")), deadline=deadline
        )
        return parsed(Feed.parse, body, "getFeed")

    def wait_for_feed(
        self, feed_id: str, *, poll_seconds: float = 30.0, deadline: float | None = None
    ) -> Feed:
        """``getFeed`` every ``poll_seconds`` until the feed is DONE, CANCELLED or FATAL (T9);
        the feed as last seen when the next poll would pass ``deadline`` (``clock.monotonic()``)."""
        if poll_seconds <= 0:
            raise ValueError("poll_seconds must be above 0")
        feed = self.get_feed(feed_id, deadline=deadline)
        while not feed.finished:
            if deadline is not None and self.clock.monotonic() + poll_seconds > deadline:
                return feed
            self.clock.sleep(poll_seconds)
            feed = self.get_feed(feed_id, deadline=deadline)
        return feed

    def cancel_feed(self, feed_id: str, *, deadline: float | None = None) -> None:
        """Cancel a feed still ``IN_QUEUE`` (Amazon refuses one already processing)."""
        path = FEED_PATH.format(feedId=_segment(feed_id, "feedId"))
        self._call("cancelFeed", "DELETE", path, deadline=deadline)

    def get_feeds(
        self,
        *,
        feed_types: Sequence[str] = (JSON_LISTINGS_FEED,),
        marketplace_ids: Sequence[str] | None = None,
        processing_statuses: Sequence[str] | None = None,
        page_size: int = 10,
        created_since: dt.datetime | None = None,
        created_until: dt.datetime | None = None,
        deadline: float | None = None,
    ) -> Iterator[FeedsPage]:
        """Yield the pages of this seller's feeds; a ``nextToken`` is sent alone, as the model says."""
        if not 1 <= page_size <= 100:
            raise ValueError("pageSize: from 1 to 100")
        params = {"feedTypes": csv(feed_types, "feedTypes"), "pageSize": str(page_size)}
        if marketplace_ids is not None:
            params["marketplaceIds"] = csv(marketplace_ids, "marketplaceIds")
        if processing_statuses is not None:
            params["processingStatuses"] = csv(processing_statuses, "processingStatuses", PROCESSING_STATUSES)
        if created_since is not None:
            params["createdSince"] = format_time(created_since, "createdSince")
        if created_until is not None:
            params["createdUntil"] = format_time(created_until, "createdUntil")
        return self._feed_pages(params, deadline)

    def _feed_pages(self, params: dict[str, str], deadline: float | None) -> Iterator[FeedsPage]:
        query = params
        while True:
            page = parsed(
                FeedsPage.parse,
                self._call("getFeeds", "GET", FEEDS_PATH, params=query, deadline=deadline),
                "getFeeds",
            )
            yield page
            if page.next_token is None:
                return
            if query.get("nextToken") == page.next_token:
                raise BadResponse("getFeeds answered the same nextToken again")
            query = {"nextToken": page.next_token}

    def get_feed_document(self, feed_document_id: str, *, deadline: float | None = None) -> FeedDocument:
        path = DOCUMENT_PATH.format(feedDocumentId=_segment(feed_document_id, "feedDocumentId"))
        return parsed(
            FeedDocument.parse,
            self._call("getFeedDocument", "GET", path, deadline=deadline),
            "getFeedDocument",
        )

    def download_feed_document(self, document: FeedDocument, *, deadline: float | None = None) -> bytes:
        """The document's bytes, un-gzipped when ``compressionAlgorithm`` says GZIP."""
        box: list[bytes] = []

        def attempt(n: int) -> None:
            response = self._transfer("downloadFeedDocument", "GET", document.url, None, None)
            if response.status_code >= 300:
                raise self._error("downloadFeedDocument", response, first=False)
            content = response.content
            if document.compression_algorithm == "GZIP":
                try:
                    content = gzip.decompress(content)
                except (OSError, EOFError):
                    raise BadResponse("the feed document is not valid gzip", retryable=True) from None
            box.append(content)

        self._transfer_with_retries("downloadFeedDocument", attempt, deadline)
        return box[-1]

    def processing_report(self, feed: Feed, *, deadline: float | None = None) -> ProcessingReport:
        """A finished feed's ``JSON_LISTINGS_FEED`` processing report, parsed."""
        if feed.result_feed_document_id is None:
            raise ValueError(f"feed {feed.feed_id} has no result document ({feed.processing_status})")
        document = self.get_feed_document(feed.result_feed_document_id, deadline=deadline)
        content = self.download_feed_document(document, deadline=deadline)
        try:
            body = _json(content)
        except ValueError:
            raise BadResponse("the processing report is not JSON") from None
        return parsed(ProcessingReport.parse, body, "processing report")

    def send_feed(
        self,
        source: IO[bytes] | bytes,
        *,
        marketplace_id: str,
        feed_type: str = JSON_LISTINGS_FEED,
        deadline: float | None = None,
    ) -> str:
        """``createFeedDocument``, the upload and ``createFeed`` for one marketplace (T9)."""
        upload = self.create_feed_document(deadline=deadline)
        self.upload_feed_document(upload, source, deadline=deadline)
        return self.create_feed(
            input_feed_document_id=upload.feed_document_id,
            marketplace_ids=[marketplace_id],
            feed_type=feed_type,
            deadline=deadline,
        )

    # --- transfers ----------------------------------------------------------------------

    def _transfer(
        self,
        name: str,
        method: str,
        url: str,
        content: Any,
        content_type: str | None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        # A pre-signed URL wants a length, not a chunked body: the caller gives it.
        headers = {"content-type": content_type} if content_type else {}
        headers.update(extra or {})
        self.stats.count_call(name)
        try:
            return self._http.request(method, url, content=content, headers=headers)
        except httpx.TimeoutException:
            raise Transient(f"{name} timed out") from None
        except httpx.TransportError as exc:
            raise Transient(f"{name} failed in transport: {type(exc).__name__}") from None

    def _transfer_with_retries(self, name: str, attempt: Any, deadline: float | None) -> None:
        run_with_retries(
            attempt,
            policy=self._retry,
            clock=self.clock,
            rng=self._rng,
            deadline=deadline,
            on_retry=lambda error, wait: self.stats.count_retry(),
        )


def _size(source: IO[bytes]) -> int:
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    return size


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    source.seek(0)
    while chunk := source.read(UPLOAD_CHUNK):
        yield chunk


def _segment(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is empty")
    return quote(value, safe="")


def _json(content: bytes) -> Any:
    return json.loads(content.decode("utf-8"))
