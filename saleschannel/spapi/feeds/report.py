"""The ``JSON_LISTINGS_FEED`` processing report, mapped back to the feed's message ids.

A message is accepted unless the report names it in an issue of severity ``ERROR``.
The envelope (``header``, ``summary``) is read strictly; each issue line and each item
on its own, so one bad line is kept raw with the reason and never loses the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from saleschannel.spapi.listings.models import ISSUE_SEVERITIES, ListingsItem, UnreadableItem, read_item
from saleschannel.spapi.models.reading import (
    ModelError,
    as_enum,
    as_int,
    as_object,
    as_str,
    kind,
    opt_int,
    opt_str,
    required,
)


@dataclass(frozen=True)
class ReportIssue:
    """One issue line: about one message (``message_id``) or the whole feed (None)."""

    severity: str
    message: str
    message_id: int | None = None
    sku: str | None = None
    code: str | None = None
    attribute_name: str | None = None

    @classmethod
    def parse(cls, value: object, path: str) -> ReportIssue:
        obj = as_object(value, path)
        message_id = opt_int(obj, "messageId", path)
        if message_id is not None and message_id < 1:
            raise ModelError(f"{path}.messageId", "expected an integer of at least 1")
        return cls(
            severity=as_enum(required(obj, "severity", path), ISSUE_SEVERITIES, f"{path}.severity"),
            message=as_str(required(obj, "message", path), f"{path}.message"),
            message_id=message_id,
            sku=opt_str(obj, "sku", path),
            code=opt_str(obj, "code", path),
            attribute_name=opt_str(obj, "attributeName", path),
        )


@dataclass(frozen=True)
class UnreadableLine:
    """A line of the report that breaks the schema, kept raw with the reason."""

    raw: Any
    error: str


@dataclass(frozen=True)
class ReportSummary:
    errors: int
    warnings: int
    messages_processed: int
    messages_accepted: int
    messages_invalid: int

    @classmethod
    def parse(cls, value: object, path: str = "summary") -> ReportSummary:
        obj = as_object(value, path)

        def count(key: str) -> int:
            number = as_int(required(obj, key, path), f"{path}.{key}")
            if number < 0:
                raise ModelError(f"{path}.{key}", "expected an integer of at least 0")
            return number

        return cls(
            errors=count("errors"),
            warnings=count("warnings"),
            messages_processed=count("messagesProcessed"),
            messages_accepted=count("messagesAccepted"),
            messages_invalid=count("messagesInvalid"),
        )


@dataclass(frozen=True)
class ProcessingReport:
    """A processing report: per message id, its issues; the items Amazon now holds."""

    feed_id: str
    seller_id: str
    summary: ReportSummary
    issues: tuple[ReportIssue, ...]
    items: tuple[ListingsItem | UnreadableItem, ...] = ()
    unreadable: tuple[UnreadableLine, ...] = ()
    _by_message: dict[int, tuple[ReportIssue, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, body: object) -> ProcessingReport:
        obj = as_object(body, "report")
        header = as_object(required(obj, "header", "report"), "report.header")
        issues, unreadable = _issues(required(obj, "issues", "report"))
        by_message: dict[int, list[ReportIssue]] = {}
        for issue in issues:
            if issue.message_id is not None:
                by_message.setdefault(issue.message_id, []).append(issue)
        raw_items = obj.get("items") or []
        if not isinstance(raw_items, list):
            raise ModelError("report.items", f"expected an array, got {kind(raw_items)}")
        return cls(
            feed_id=as_str(required(header, "feedId", "report.header"), "report.header.feedId"),
            seller_id=as_str(required(header, "sellerId", "report.header"), "report.header.sellerId"),
            summary=ReportSummary.parse(required(obj, "summary", "report")),
            issues=tuple(issues),
            items=tuple(read_item(item, f"report.items[{i}]") for i, item in enumerate(raw_items)),
            unreadable=tuple(unreadable),
            _by_message={k: tuple(v) for k, v in by_message.items()},
        )

    def issues_of(self, message_id: int) -> tuple[ReportIssue, ...]:
        return self._by_message.get(message_id, ())

    def accepted(self, message_id: int) -> bool:
        """Whether Amazon accepted the message: no ERROR issue names it, and the feed as a
        whole has no ERROR issue of its own."""
        if any(i.severity == "ERROR" and i.message_id is None for i in self.issues):
            return False
        return not any(i.severity == "ERROR" for i in self.issues_of(message_id))

    def item(self, sku: str) -> ListingsItem | None:
        """The listing as Amazon holds it after the feed (when ``includedData`` asked for it)."""
        for item in self.items:
            if isinstance(item, ListingsItem) and item.sku == sku:
                return item
        return None


def _issues(value: object) -> tuple[list[ReportIssue], list[UnreadableLine]]:
    if not isinstance(value, list):
        raise ModelError("report.issues", f"expected an array, got {kind(value)}")
    read: list[ReportIssue] = []
    unreadable: list[UnreadableLine] = []
    for i, line in enumerate(value):
        try:
            read.append(ReportIssue.parse(line, f"report.issues[{i}]"))
        except ModelError as exc:
            unreadable.append(UnreadableLine(raw=line, error=str(exc)))
    return read, unreadable
