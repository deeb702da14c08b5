"""Recording at its edges, where mutation testing found the other tests silent (docs/mutation.md).

An unreadable snapshot with no readable time, seen twice (the same, then changed), the reason it
is recorded with before any evaluation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from saleschannel.channel.models import AmazonOrder, AmazonStatusEvent
from saleschannel.channel.services.imports.importer import amazon_order_record
from saleschannel.channel.services.imports.recording import account_view, amazon_order_recorded
from saleschannel.commerce.memo import reads_remembered
from saleschannel.spapi.models import UnreadableOrder, read_order
from tests.channel.factories import T0, iso, order_dict, with_status

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



def _second_account():
    from saleschannel.channel.services.accounts import account_connect

    other, _ = account_connect(
        name="us-other", seller_id="A2SELLER", marketplace_id="ATVPDKIKX0DER", region="na",
        refresh_token="Atzr|other-refresh-token", client_id="amzn1.application-oa2-client.other",
        client_secret="other-client-secret", now=T0,
    )
    return other


def test_recording_a_new_order_takes_one_try_and_rolls_nothing_back(account):
    order = read_order(order_dict(order_id="111-0000009-0000010"))
    with CaptureQueriesContext(connection) as queries:
        stored, changed = amazon_order_record(account=account, order=order, seen_at=T0)
    assert changed and stored.account_id == account.pk and stored.amazon_order_id == "111-0000009-0000010"
    assert stored.first_seen_at == T0 and stored.last_seen_at == T0
    assert not [q["sql"] for q in queries.captured_queries if "ROLLBACK" in q["sql"].upper()]


def test_recording_hands_on_the_order_as_stored_whether_or_not_it_changed(account):
    order = read_order(order_dict(order_id="111-0000009-0000011"))
    first = amazon_order_recorded(account=account, order=order, seen_at=T0)
    assert first.changed is True and first.order == order
    again = amazon_order_recorded(account=account, order=order, seen_at=T0 + dt.timedelta(minutes=1))
    assert again.changed is False and again.order == order and again.amazon_order.pk == first.amazon_order.pk


def test_one_amazon_order_id_under_two_accounts_is_two_rows(account):
    other = _second_account()
    body = order_dict(order_id="111-0000009-0000012")
    mine, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0)
    theirs, changed = amazon_order_record(account=other, order=read_order(body), seen_at=T0)
    assert changed and theirs.pk != mine.pk and theirs.account_id == other.pk
    assert AmazonOrder.objects.filter(amazon_order_id="111-0000009-0000012").count() == 2


def test_each_account_is_seen_with_its_own_import_periods_in_one_unit_of_work(account, enable):
    enable()
    other = _second_account()  # import never enabled: no period
    with reads_remembered():
        assert account_view(account).import_periods != ()
        assert account_view(other).import_periods == ()


def test_an_unreadable_snapshot_without_a_time_never_replaces_one_with_a_time(account):
    body = order_dict(order_id="111-0000009-0000013")
    _stored, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0)
    broken = {**body, "lastUpdatedTime": "not a time"}
    again, changed = amazon_order_record(account=account, order=read_order(broken), seen_at=T0 + dt.timedelta(hours=1))
    assert not changed and again.raw == body and again.import_state != "error"


def test_a_snapshot_with_a_time_replaces_an_unreadable_one_without(account):
    body = order_dict(order_id="111-0000009-0000014")
    broken = {**body, "lastUpdatedTime": "not a time"}
    amazon_order_record(account=account, order=read_order(broken), seen_at=T0)
    stored, changed = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(hours=1))
    assert changed and stored.raw == body and stored.last_updated_time is not None


def _damaged(body):
    """The same version with an unreadable line (its time still readable)."""
    damaged = {**body, "orderItems": [{**body["orderItems"][0], "quantityOrdered": "two"}]}
    order = read_order(damaged)
    assert isinstance(order, UnreadableOrder)
    return damaged, order


def test_the_same_version_read_right_after_a_damaged_answer_replaces_it_once(account):
    body = order_dict(order_id="111-0000009-0000015")
    _, order = _damaged(body)
    first, _ = amazon_order_record(account=account, order=order, seen_at=T0)
    assert first.reason_code == "unreadable" and first.last_updated_time is not None
    fixed, changed = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(hours=1))
    assert changed and fixed.raw == body
    _again, changed = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(hours=2))
    assert not changed


def test_an_older_snapshot_never_replaces_a_damaged_newer_one(account):
    body = order_dict(order_id="111-0000009-0000016", updated=T0 + dt.timedelta(days=2))
    damaged, order = _damaged(body)
    amazon_order_record(account=account, order=order, seen_at=T0)
    older = {**body, "lastUpdatedTime": iso(T0 + dt.timedelta(days=1, hours=1))}
    stored, changed = amazon_order_record(account=account, order=read_order(older), seen_at=T0 + dt.timedelta(hours=1))
    assert not changed and stored.raw == damaged


def test_a_damaged_answer_of_the_same_version_never_replaces_a_readable_one(account):
    body = order_dict(order_id="111-0000009-0000017")
    amazon_order_record(account=account, order=read_order(body), seen_at=T0)
    _, order = _damaged(body)
    stored, changed = amazon_order_record(account=account, order=order, seen_at=T0 + dt.timedelta(hours=1))
    assert not changed and stored.raw == body


def test_the_same_version_with_other_content_changes_nothing(account):
    body = order_dict(order_id="111-0000009-0000018")
    amazon_order_record(account=account, order=read_order(body), seen_at=T0)
    other = {**body, "programs": ["PRIME"]}
    stored, changed = amazon_order_record(account=account, order=read_order(other), seen_at=T0 + dt.timedelta(hours=1))
    assert not changed and stored.raw == body


def test_an_unreadable_order_with_a_nul_character_is_kept_under_its_id_with_what_broke(account):
    body = order_dict(order_id="111-0000009-0000019", buyer_name="Jane\x00Buyer")
    body["orderItems"][0]["quantityOrdered"] = "two"
    order = read_order(body)
    assert isinstance(order, UnreadableOrder)
    stored, changed = amazon_order_record(account=account, order=order, seen_at=T0)
    assert changed and stored.amazon_order_id == "111-0000009-0000019"
    assert stored.raw["buyer"]["buyerName"] == "Jane\ufffdBuyer"
    assert stored.reason == f"Amazon's data cannot be read: {order.error.replace(chr(0), chr(0xFFFD))[:500]}"
    assert stored.reason_code == "unreadable"


def _import_enabled(account, at):
    from saleschannel.channel.services.settings import order_settings_update

    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=at)


def test_c31_an_order_once_seen_creating_while_not_eligible_never_becomes_eligible_by_a_snapshot(account):
    body = order_dict(order_id="111-0000009-0000020", status="Unshipped")
    first, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(days=1))
    assert not first.auto_eligible  # no import period yet
    _import_enabled(account, T0 + dt.timedelta(days=2))
    shipped = with_status(body, "Shipped", at=T0 + dt.timedelta(days=3))
    later, changed = amazon_order_record(account=account, order=read_order(shipped), seen_at=T0 + dt.timedelta(days=3))
    assert changed and later.status == "Shipped" and not later.auto_eligible


def test_an_order_first_seen_pending_becomes_eligible_when_seen_creating_in_an_import_period(account):
    body = order_dict(order_id="111-0000009-0000021", status="Pending")
    first, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(days=1))
    assert not first.auto_eligible
    _import_enabled(account, T0 + dt.timedelta(days=2))
    unshipped = with_status(body, "Unshipped", at=T0 + dt.timedelta(days=3))
    later, changed = amazon_order_record(account=account, order=read_order(unshipped), seen_at=T0 + dt.timedelta(days=3))
    assert changed and later.auto_eligible


def test_a_status_a_notification_already_put_in_the_history_is_not_put_there_twice(account):
    body = order_dict(order_id="111-0000009-0000022", status="Unshipped")
    stored, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(days=1))
    # As a notification of the new status does (R18), before the order is fetched.
    AmazonStatusEvent.objects.create(amazon_order=stored, status="Shipped", seen_at=T0 + dt.timedelta(days=2),
                                     changed_at=T0 + dt.timedelta(days=2))
    shipped = with_status(body, "Shipped", at=T0 + dt.timedelta(days=2))
    amazon_order_record(account=account, order=read_order(shipped), seen_at=T0 + dt.timedelta(days=2, hours=1))
    history = list(AmazonStatusEvent.objects.filter(amazon_order=stored).order_by("seen_at", "pk")
                   .values_list("status", flat=True))
    assert history == ["Unshipped", "Shipped"]
    canceled = with_status(body, "Canceled", at=T0 + dt.timedelta(days=4))
    amazon_order_record(account=account, order=read_order(canceled), seen_at=T0 + dt.timedelta(days=4))
    assert list(AmazonStatusEvent.objects.filter(amazon_order=stored).order_by("seen_at", "pk")
                .values_list("status", "seen_at", "changed_at"))[-1] == (
        "Canceled", T0 + dt.timedelta(days=4), T0 + dt.timedelta(days=4))


@pytest.fixture
def rivals():
    """Rival writers that get a new Amazon order in first, ``rivals["left"]`` times: SQLite refuses the
    insert as the unique constraint would (a trigger), and the rival's row is not there to be read after
    the rollback. It counts outside the database, so a rolled-back savepoint does not undo it."""
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite trigger stands for the rival writers; PostgreSQL races for real "
                    "(tests/channel/test_one_row_per_order.py)")
    left = {"left": 0, "refused": 0}

    def rival_first() -> int:
        if left["left"] > 0:
            left["left"] -= 1
            left["refused"] += 1
            return 1
        return 0

    connection.ensure_connection()
    connection.connection.create_function("rival_first", 0, rival_first)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TRIGGER rival_writer BEFORE INSERT ON channel_amazonorder WHEN rival_first() "
            "BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: channel_amazonorder.amazon_order_id'); END")
    yield left
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS rival_writer")


def test_recording_tries_again_after_losing_two_races_for_a_new_order(account, rivals):
    rivals["left"] = 2
    order = read_order(order_dict(order_id="111-0000009-0000030"))
    recorded = amazon_order_recorded(account=account, order=order, seen_at=T0)
    stored = recorded.amazon_order
    assert rivals["refused"] == 2
    assert recorded.changed is True and recorded.order == order and stored.account_id == account.pk and stored.amazon_order_id == "111-0000009-0000030"
    assert (stored.first_seen_at, stored.last_seen_at, stored.raw) == (T0, T0, order.raw)
    assert AmazonOrder.objects.filter(amazon_order_id="111-0000009-0000030").count() == 1
    assert list(AmazonStatusEvent.objects.filter(amazon_order=stored).values_list("status", flat=True)) == [
        "Unshipped"]


def test_recording_that_loses_three_races_in_a_row_gives_up(account, rivals):
    rivals["left"] = 3
    with pytest.raises(IntegrityError):
        amazon_order_record(account=account, order=read_order(order_dict(order_id="111-0000009-0000031")), seen_at=T0)
    assert rivals["refused"] == 3
    assert not AmazonOrder.objects.filter(amazon_order_id="111-0000009-0000031").exists()


def test_a_pending_order_seen_again_outside_any_import_period_stays_ineligible(account):
    body = order_dict(order_id="111-0000009-0000023", status="Pending")
    amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(days=1))
    newer = {**body, "lastUpdatedTime": iso(T0 + dt.timedelta(days=1, hours=2))}
    later, changed = amazon_order_record(account=account, order=read_order(newer), seen_at=T0 + dt.timedelta(days=2))
    assert changed and not later.auto_eligible


def test_a_newer_readable_snapshot_is_not_marked_unreadable(account):
    body = order_dict(order_id="111-0000009-0000024")
    first, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0)
    newer = with_status(body, "Shipped", at=T0 + dt.timedelta(days=2))
    later, changed = amazon_order_record(account=account, order=read_order(newer), seen_at=T0 + dt.timedelta(days=2))
    assert changed and later.status == "Shipped"
    assert (later.import_state, later.reason_code, later.reason) == (first.import_state, first.reason_code, first.reason)


def test_a_newer_damaged_snapshot_of_an_order_not_imported_is_marked_with_what_broke(account):
    body = order_dict(order_id="111-0000009-0000025")
    amazon_order_record(account=account, order=read_order(body), seen_at=T0)
    _, order = _damaged({**body, "lastUpdatedTime": iso(T0 + dt.timedelta(days=2))})
    recorded = amazon_order_recorded(account=account, order=order, seen_at=T0 + dt.timedelta(days=2))
    stored = recorded.amazon_order
    assert recorded.changed is True and recorded.order == order  # handed on as stored
    assert (stored.import_state, stored.reason_code) == ("error", "unreadable")
    assert stored.reason == f"Amazon's data cannot be read: {order.error[:500]}"


def test_a_snapshot_that_changes_no_status_adds_nothing_to_the_history(account):
    body = order_dict(order_id="111-0000009-0000026", status="Unshipped")
    stored, _ = amazon_order_record(account=account, order=read_order(body), seen_at=T0 + dt.timedelta(days=1))
    # A notification already told of a newer status; a snapshot still Unshipped, but newer, comes after.
    AmazonStatusEvent.objects.create(amazon_order=stored, status="Shipped", seen_at=T0 + dt.timedelta(days=2),
                                     changed_at=T0 + dt.timedelta(days=2))
    newer = {**body, "lastUpdatedTime": iso(T0 + dt.timedelta(days=1, hours=3))}
    _, changed = amazon_order_record(account=account, order=read_order(newer), seen_at=T0 + dt.timedelta(days=3))
    assert changed
    assert list(AmazonStatusEvent.objects.filter(amazon_order=stored).order_by("seen_at", "pk")
                .values_list("status", flat=True)) == ["Unshipped", "Shipped"]
