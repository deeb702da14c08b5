"""Query parameters as Amazon's model wants them (S4): times in UTC with ``Z``, arrays
comma-separated, the model's enums and ranges, and its rules about which filters go
together. A request that breaks them is refused here, before it spends a token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from saleschannel.spapi.models import FULFILLED_BY, FULFILLMENT_STATUSES, INCLUDED_DATA

#: ``lastUpdatedBefore``/``createdBefore`` must be this far before the request.
BEFORE_MARGIN = dt.timedelta(minutes=2)
MAX_MARKETPLACES = 50


def format_time(value: dt.datetime, name: str) -> str:
    """ISO 8601 in UTC with ``Z``; milliseconds only when there are any."""
    if value.tzinfo is None:
        raise ValueError(f"{name}: a naive datetime is ambiguous; give an aware one")
    utc = value.astimezone(dt.UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def csv(values: Iterable[str], name: str, allowed: Sequence[str] | None = None) -> str:
    """An array parameter, comma-separated; refuses empties and values outside the enum."""
    items = list(values)
    if isinstance(values, str) or not items:
        raise ValueError(f"{name}: give a non-empty list of values")
    for item in items:
        if not isinstance(item, str) or not item or "," in item:
            raise ValueError(f"{name}: {item!r} is not a valid value")
        if allowed is not None and item not in allowed:
            raise ValueError(f"{name}: {item!r} is not one of {', '.join(allowed)}")
    return ",".join(items)


def included_data(values: Iterable[str]) -> str:
    return csv(values, "includedData", INCLUDED_DATA)


def search_params(
    *,
    now: dt.datetime,
    marketplace_ids: Sequence[str] | None,
    created_after: dt.datetime | None,
    created_before: dt.datetime | None,
    last_updated_after: dt.datetime | None,
    last_updated_before: dt.datetime | None,
    fulfillment_statuses: Sequence[str] | None,
    fulfilled_by: Sequence[str] | None,
    max_results_per_page: int,
    included: Sequence[str] | None,
) -> dict[str, str]:
    """The filters of one ``searchOrders`` run, re-sent unchanged with every page."""
    _check_time_window(now, created_after, created_before, last_updated_after, last_updated_before)
    if isinstance(max_results_per_page, bool) or not 1 <= max_results_per_page <= 100:
        raise ValueError(f"maxResultsPerPage: {max_results_per_page!r} is not between 1 and 100")
    params: dict[str, str] = {}
    for name, value in (
        ("createdAfter", created_after),
        ("createdBefore", created_before),
        ("lastUpdatedAfter", last_updated_after),
        ("lastUpdatedBefore", last_updated_before),
    ):
        if value is not None:
            params[name] = format_time(value, name)
    if fulfillment_statuses is not None:
        params["fulfillmentStatuses"] = csv(fulfillment_statuses, "fulfillmentStatuses", FULFILLMENT_STATUSES)
    if marketplace_ids is not None:
        if len(marketplace_ids) > MAX_MARKETPLACES:
            raise ValueError(f"marketplaceIds: at most {MAX_MARKETPLACES}, got {len(marketplace_ids)}")
        params["marketplaceIds"] = csv(marketplace_ids, "marketplaceIds")
    if fulfilled_by is not None:
        params["fulfilledBy"] = csv(fulfilled_by, "fulfilledBy", FULFILLED_BY)
    params["maxResultsPerPage"] = str(max_results_per_page)
    if included is not None:
        params["includedData"] = included_data(included)
    return params


def _check_time_window(
    now: dt.datetime,
    created_after: dt.datetime | None,
    created_before: dt.datetime | None,
    last_updated_after: dt.datetime | None,
    last_updated_before: dt.datetime | None,
) -> None:
    by_creation = created_after is not None or created_before is not None
    by_update = last_updated_after is not None or last_updated_before is not None
    if by_creation and by_update:
        raise ValueError(
            "createdAfter/createdBefore cannot be combined with lastUpdatedAfter/lastUpdatedBefore"
        )
    if (created_after is None) == (last_updated_after is None):
        raise ValueError("give exactly one of createdAfter and lastUpdatedAfter")
    for name, after, before in (
        ("createdBefore", created_after, created_before),
        ("lastUpdatedBefore", last_updated_after, last_updated_before),
    ):
        if before is None:
            continue
        for label, value in ((name, before), (name.replace("Before", "After"), after)):
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{label}: a naive datetime is ambiguous; give an aware one")
        if after is not None and before < after:
            raise ValueError(f"{name}: must not be before {name.replace('Before', 'After')}")
        if before > now - BEFORE_MARGIN:
            raise ValueError(f"{name}: must be at least two minutes before now")
