"""Recording at its edges, where mutation testing found the other tests silent (docs/mutation.md).

An unreadable snapshot with no readable time, seen twice (the same, then changed), the reason it
is recorded with before any evaluation.
"""

from __future__ import annotations

import pytest

from saleschannel.channel.services.imports.importer import amazon_order_record
from saleschannel.spapi.models import UnreadableOrder, read_order
from tests.channel.factories import T0, order_dict

pytestmark = pytest.mark.django_db


def unreadable(**changes) -> UnreadableOrder:
    body = order_dict(order_id="111-0000009-0000001")
    body["lastUpdatedTime"] = "not a time"
    body["orderItems"][0]["quantityOrdered"] = "two"
    body.update(changes)
    order = read_order(body)
    assert isinstance(order, UnreadableOrder)
    return order


def test_an_unreadable_snapshot_is_recorded_with_what_broke(account):
    order = unreadable()
    stored, changed = amazon_order_record(account=account, order=order, seen_at=T0)
    assert changed
    assert stored.import_state == "error" and stored.reason_code == "unreadable"
    assert stored.reason == f"Amazon's data cannot be read: {order.error[:500]}"
    assert "lastUpdatedTime" in stored.reason  # the path that broke


def test_an_unreadable_snapshot_without_a_time_changes_nothing_when_seen_again_unless_it_differs(account):
    first, changed = amazon_order_record(account=account, order=unreadable(), seen_at=T0)
    assert changed
    again, changed = amazon_order_record(account=account, order=unreadable(), seen_at=T0)
    assert not changed and again.pk == first.pk
    other, changed = amazon_order_record(account=account, order=unreadable(salesChannel="Other"), seen_at=T0)
    assert changed and other.pk == first.pk and other.raw["salesChannel"] == "Other"

