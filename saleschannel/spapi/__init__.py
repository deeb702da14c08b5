"""Amazon's Selling Partner API: the Orders API 2026-01-01 and v0 confirmShipment, the
Listings Items API 2021-08-01 and the Feeds API 2021-06-30.

Plain Python, no Django. The public surface is re-exported here; the modules behind
it are ``client``, ``auth``, ``models``, ``errors``, ``ratelimit``, ``clock``, the
``listings`` and ``feeds`` packages (their models, the feed builder and the processing
report; their operations are ``SpApiClient``'s) and the ``sandbox`` package (a local
stand-in for Amazon, for tests and demos).
"""

from saleschannel.spapi.auth import LWA_TOKEN_URL, Credentials, TokenGrant, exchange_authorization_code
from saleschannel.spapi.client import REGION_ENDPOINTS, SpApiClient
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
    ConfirmShipmentItem,
    ConfirmShipmentPackage,
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
from saleschannel.spapi.ratelimit import DEFAULT_PLANS, NoLimiter, RateLimiter, TokenBucketLimiter, UsagePlan
from saleschannel.spapi.retry import RetryPolicy
from saleschannel.spapi.stats import CallStats, CallStatsSnapshot

__all__ = [
    "DEFAULT_INCLUDED_DATA",
    "DEFAULT_PLANS",
    "LWA_TOKEN_URL",
    "REGION_ENDPOINTS",
    "Address",
    "ApiErrorDetail",
    "AuthFailed",
    "BadResponse",
    "Buyer",
    "CallStats",
    "CallStatsSnapshot",
    "Clock",
    "ConfirmShipmentItem",
    "ConfirmShipmentPackage",
    "Credentials",
    "FakeClock",
    "InvalidRequest",
    "ItemCancellation",
    "ModelError",
    "Money",
    "NoLimiter",
    "NotFound",
    "Order",
    "OrderItem",
    "Package",
    "PackageItem",
    "ProceedsBreakdown",
    "RateLimitDeadline",
    "RateLimiter",
    "RetryPolicy",
    "SearchPage",
    "SpApiClient",
    "SpApiError",
    "SystemClock",
    "Throttled",
    "TokenBucketLimiter",
    "TokenGrant",
    "Transient",
    "UnreadableOrder",
    "UnreadableOrderError",
    "UsagePlan",
    "exchange_authorization_code",
    "parse_order",
    "read_order",
]
