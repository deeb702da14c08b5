"""The channel's web endpoints: Amazon's ORDER_CHANGE notifications (S3, C16), and its listings
notifications on the same endpoint (T12)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from saleschannel.channel.services.notifications import (
    NotificationRefused,
    UnknownAccount,
    notification_accept,
)
from saleschannel.channel.stock.notifications import listings_notification_accept

log = logging.getLogger("saleschannel.channel.notifications")


@csrf_exempt
@require_POST
def order_change_notification(request: HttpRequest) -> JsonResponse:
    """Take one ORDER_CHANGE notification; its order is fetched with getOrder within seconds.

    401 without the installation's ``x-api-key``, 400 when malformed, 404 when no account
    has its seller and marketplace (nothing is changed then); 202 when accepted.
    """
    try:
        # Stock to Amazon (T12): a listings notification on the same endpoint and secret.
        if (listing := listings_notification_accept(body=request.body, api_key=request.headers.get("x-api-key"),
                                                    now=timezone.now())) is not None:
            return JsonResponse({"accepted": True, "notification": listing.kind, "sku": listing.sku}, status=202)
        fetch = notification_accept(
            body=request.body, api_key=request.headers.get("x-api-key"), now=timezone.now()
        )
    except NotificationRefused as exc:
        log.warning("notification refused (%s): %s", exc.status, exc.message)
        return JsonResponse({"error": exc.message}, status=exc.status)
    except UnknownAccount as exc:
        log.warning("notification ignored: %s", exc)
        return JsonResponse({"error": str(exc)}, status=404)
    return JsonResponse({"accepted": True, "amazon_order_id": fetch.amazon_order_id}, status=202)
