"""Amazon's Feeds API 2021-06-30 for ``JSON_LISTINGS_FEED``: typed feeds (``models``), the
streamed document builder (``builder``), the processing report (``report``) and the
client's operations (``operations``, mixed into ``SpApiClient``)."""

from saleschannel.spapi.feeds.builder import (
    MAX_FEED_BYTES,
    MAX_MESSAGES,
    BuiltFeed,
    FeedBuildError,
    QuantityUpdate,
    write_quantity_feed,
)
from saleschannel.spapi.feeds.models import (
    JSON_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    Feed,
    FeedDocument,
    FeedDocumentUpload,
    FeedsPage,
)
from saleschannel.spapi.feeds.report import ProcessingReport, ReportIssue, UnreadableLine

__all__ = [
    "JSON_CONTENT_TYPE",
    "JSON_LISTINGS_FEED",
    "MAX_FEED_BYTES",
    "MAX_MESSAGES",
    "BuiltFeed",
    "Feed",
    "FeedBuildError",
    "FeedDocument",
    "FeedDocumentUpload",
    "FeedsPage",
    "ProcessingReport",
    "QuantityUpdate",
    "ReportIssue",
    "UnreadableLine",
    "write_quantity_feed",
]
