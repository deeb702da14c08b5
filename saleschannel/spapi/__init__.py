"""Amazon's Selling Partner API: the Orders API 2026-01-01 and v0 confirmShipment.

Plain Python, no Django. The public surface is re-exported here; the modules behind
it are ``client``, ``auth``, ``models``, ``errors``, ``ratelimit``, ``clock`` and the
``sandbox`` package (a local stand-in for Amazon, for tests and demos).
"""

from saleschannel.spapi.clock import Clock, FakeClock, SystemClock
from saleschannel.spapi.errors import (
    ApiErrorDetail,
    AuthFailed,
    BadResponse,
    InvalidRequest,
    NotFound,
    RateLimitDeadline,
    SpApiError,
    Throttled,
    Transient,
    UnreadableOrderError,
)
from saleschannel.spapi.models import (
    DEFAULT_INCLUDED_DATA,
    Address,
    Buyer,
    ItemCancellation,
    ModelError,
    Money,
    Order,
    OrderItem,
    Package,
    PackageItem,
    ProceedsBreakdown,
    SearchPage,
    UnreadableOrder,
    parse_order,
    read_order,
)
from saleschannel.spapi.ratelimit import DEFAULT_PLANS, RateLimiter, TokenBucketLimiter, UsagePlan

__all__ = [
    "DEFAULT_INCLUDED_DATA",
    "DEFAULT_PLANS",
    "Address",
    "ApiErrorDetail",
    "AuthFailed",
    "BadResponse",
    "Buyer",
    "Clock",
    "FakeClock",
    "InvalidRequest",
    "ItemCancellation",
    "ModelError",
    "Money",
    "NotFound",
    "Order",
    "OrderItem",
    "Package",
    "PackageItem",
    "ProceedsBreakdown",
    "RateLimitDeadline",
    "RateLimiter",
    "SearchPage",
    "SpApiError",
    "SystemClock",
    "Throttled",
    "TokenBucketLimiter",
    "Transient",
    "UnreadableOrder",
    "UnreadableOrderError",
    "UsagePlan",
    "parse_order",
    "read_order",
]
