"""Feeds as Amazon's Feeds API 2021-06-30 gives them, parsed strictly like the orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from saleschannel.spapi.models.reading import (
    ModelError,
    as_enum,
    as_list,
    as_object,
    as_str,
    kind,
    opt_datetime,
    opt_str,
    parse_datetime,
    required,
)

PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
#: A feed in one of these will not change again.
FINISHED_STATUSES = frozenset({"CANCELLED", "DONE", "FATAL"})
COMPRESSION_ALGORITHMS = ("GZIP",)
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
#: The content type of a ``JSON_LISTINGS_FEED`` document (T9).
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class FeedDocumentUpload:
    """``createFeedDocument``'s answer: where to upload the document."""

    feed_document_id: str
    url: str

    @classmethod
    def parse(cls, body: object) -> FeedDocumentUpload:
        path = "CreateFeedDocumentResponse"
        obj = as_object(body, path)
        return cls(
            feed_document_id=as_str(required(obj, "feedDocumentId", path), f"{path}.feedDocumentId"),
            url=as_str(required(obj, "url", path), f"{path}.url"),
        )


@dataclass(frozen=True)
class FeedDocument:
    """``getFeedDocument``'s answer: where to download a document, and how it is packed."""

    feed_document_id: str
    url: str
    compression_algorithm: str | None = None

    @classmethod
    def parse(cls, body: object) -> FeedDocument:
        path = "FeedDocument"
        obj = as_object(body, path)
        algorithm = obj.get("compressionAlgorithm")
        return cls(
            feed_document_id=as_str(required(obj, "feedDocumentId", path), f"{path}.feedDocumentId"),
            url=as_str(required(obj, "url", path), f"{path}.url"),
            compression_algorithm=None
            if algorithm is None
            else as_enum(algorithm, COMPRESSION_ALGORITHMS, f"{path}.compressionAlgorithm"),
        )


@dataclass(frozen=True)
class Feed:
    """A feed and its processing status; ``result_feed_document_id`` once it is done."""

    feed_id: str
    feed_type: str
    created_time: dt.datetime
    processing_status: str
    marketplace_ids: tuple[str, ...] = ()
    processing_start_time: dt.datetime | None = None
    processing_end_time: dt.datetime | None = None
    result_feed_document_id: str | None = None

    @classmethod
    def parse(cls, value: object, path: str = "Feed") -> Feed:
        obj = as_object(value, path)
        return cls(
            feed_id=as_str(required(obj, "feedId", path), f"{path}.feedId"),
            feed_type=as_str(required(obj, "feedType", path), f"{path}.feedType"),
            created_time=parse_datetime(required(obj, "createdTime", path), f"{path}.createdTime"),
            processing_status=as_enum(
                required(obj, "processingStatus", path), PROCESSING_STATUSES, f"{path}.processingStatus"
            ),
            marketplace_ids=as_list(obj, "marketplaceIds", path, as_str),
            processing_start_time=opt_datetime(obj, "processingStartTime", path),
            processing_end_time=opt_datetime(obj, "processingEndTime", path),
            result_feed_document_id=opt_str(obj, "resultFeedDocumentId", path),
        )

    @property
    def finished(self) -> bool:
        return self.processing_status in FINISHED_STATUSES


@dataclass(frozen=True)
class FeedsPage:
    """One page of ``getFeeds``."""

    feeds: tuple[Feed, ...]
    next_token: str | None

    @classmethod
    def parse(cls, body: object) -> FeedsPage:
        path = "GetFeedsResponse"
        obj = as_object(body, path)
        feeds = required(obj, "feeds", path)
        if not isinstance(feeds, list):
            raise ModelError(f"{path}.feeds", f"expected an array, got {kind(feeds)}")
        return cls(
            feeds=as_list(obj, "feeds", path, Feed.parse), next_token=opt_str(obj, "nextToken", path) or None
        )


def parse_feed_id(body: object) -> str:
    """``createFeed``'s answer (``CreateFeedResponse``): the new feed's id."""
    obj = as_object(body, "CreateFeedResponse")
    return as_str(required(obj, "feedId", "CreateFeedResponse"), "CreateFeedResponse.feedId")
