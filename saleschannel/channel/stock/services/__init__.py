"""Writes of Stock to Amazon, shared by the command line, the dashboard, the API and the pusher.

- ``settings``: ``stock_settings_get``, ``stock_settings_as_dict``, ``stock_settings_update`` (T1).
- ``offers``: what is learned of offers and the marks that make them due (T3, T5, T11, T12).
- ``pushes``: ``offer_push_record``, ``offers_settle``, ``stock_pushes_cleanup`` (T11, T13).
- ``push``: ``offers_push``, one push cycle of an account (T6, T7, T11).

Everything is importable from here.
"""

from saleschannel.channel.stock.services.offers import (
    DRIFT_GRACE,
    SETTING_CHANGED,
    offer_learn,
    offer_quantity_seen,
    offer_retry,
    offers_drift_mark,
    offers_due_for_amazon_order,
    offers_due_from_amazon_orders,
    offers_mark_due,
    offers_not_found,
)
from saleschannel.channel.stock.services.push import PushCycle, offers_push, offers_push_after_sync
from saleschannel.channel.stock.services.pushes import (
    PUSH_RETENTION_DAYS,
    offer_push_record,
    offers_settle,
    stock_pushes_cleanup,
)
from saleschannel.channel.stock.services.settings import (
    FIELDS,
    stock_settings_as_dict,
    stock_settings_get,
    stock_settings_update,
)

__all__ = [
    "DRIFT_GRACE",
    "FIELDS",
    "PUSH_RETENTION_DAYS",
    "SETTING_CHANGED",
    "PushCycle",
    "offer_learn",
    "offer_push_record",
    "offer_quantity_seen",
    "offer_retry",
    "offers_drift_mark",
    "offers_due_for_amazon_order",
    "offers_due_from_amazon_orders",
    "offers_mark_due",
    "offers_not_found",
    "offers_push",
    "offers_push_after_sync",
    "offers_settle",
    "stock_pushes_cleanup",
    "stock_settings_as_dict",
    "stock_settings_get",
    "stock_settings_update",
]
