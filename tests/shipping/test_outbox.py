"""The outbox over the sandbox: confirmations sent once Amazon accepts, retried when throttled or
failing, corrected and resent when refused, and safe when a worker dies (C22)."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.outbox.models import OutboxAttempt, OutboxMessage
from saleschannel.channel.outbox.services import (
    amazon_order_ship,
    outbox_message_resend,
    outbox_message_send,
    outbox_send_due,
)
from saleschannel.commerce.errors import InvalidInput
from saleschannel.spapi.sandbox.faults import Fault
from tests.shipping.conftest import Recorder, ledger, make_amazon, snapshot_take, source_qty

pytestmark = pytest.mark.django_db


def _send(amazon, now=None):
    return outbox_send_due(now=now or amazon.clock.now(), client_factory=amazon.factory, clock=amazon.clock)


def test_full_shipment_is_confirmed_once_and_amazon_shows_it_shipped(imported, amazon, enabled_account):
    ao, order = imported()
    shipment, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z999")

    assert _send(amazon) == 1
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 1 and message.sent_at is not None
    ref = str(shipment.pk)
    assert amazon.recorder.accepted(ref) == 1
    [package] = amazon.packages(ao.amazon_order_id)
    assert package["packageReferenceId"] == ref and package["trackingNumber"] == "1Z999"
    assert amazon.order(ao.amazon_order_id)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert _send(amazon, amazon.clock.now() + dt.timedelta(days=1)) == 0  # never sent again
    assert amazon.recorder.tried(ref) == 1

    # The next snapshot shows Amazon's package: it is the store's own, nothing is recorded twice.
    snapshot_take(enabled_account, amazon, ao.amazon_order_id)
    order.refresh_from_db()
    assert order.shipments.count() == 1 and order.state == "complete"
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}


def test_partial_shipments_are_confirmed_per_package(imported, amazon, enabled_account):
    ao, order = imported()
    line_a = order.items.get(sku="SKU-A")
    first, _ = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z1", lines=[(line_a.pk, 1)])
    _send(amazon)
    assert amazon.order(ao.amazon_order_id)["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    snapshot_take(enabled_account, amazon, ao.amazon_order_id)
    order.refresh_from_db()
    assert order.state == "processing" and order.shipments.count() == 1

    second, _ = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="FedEx", tracking_number="FX2")
    _send(amazon)
    packages = amazon.packages(ao.amazon_order_id)
    assert sorted(p["packageReferenceId"] for p in packages) == sorted([str(first.pk), str(second.pk)])
    assert amazon.order(ao.amazon_order_id)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    snapshot_take(enabled_account, amazon, ao.amazon_order_id)
    order.refresh_from_db()
    assert order.state == "complete" and order.shipments.count() == 2
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}


def test_a_refused_confirmation_is_shown_corrected_and_resent(imported, amazon):
    amazon.recorder.refuse_carriers = frozenset({"UPSS"})
    ao, order = imported()
    shipment, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPSS", tracking_number="1Z1")
    _send(amazon)
    message.refresh_from_db()
    assert message.state == "refused"
    assert message.errors == [{"code": "InvalidInput", "message": "Invalid carrierCode",
                               "details": "UPSS is not a carrier code"}]
    assert "Invalid carrierCode" in message.last_error
    assert _send(amazon, amazon.clock.now() + dt.timedelta(days=1)) == 0  # waits for a correction

    with pytest.raises(InvalidInput) as refused:
        outbox_message_resend(message=message, changes={"carrier": "Other"})  # Other needs a name
    assert refused.value.field == "carrier_name"
    message.refresh_from_db()
    assert message.state == "refused" and message.payload["packageDetail"]["carrierCode"] == "UPSS"

    outbox_message_resend(message=message, changes={"carrier": "UPS", "tracking": "1Z2"}, now=amazon.clock.now())
    message.refresh_from_db()
    assert message.state == "pending" and message.errors == []
    assert message.payload["packageDetail"]["packageReferenceId"] == str(shipment.pk)
    shipment.refresh_from_db()
    assert (shipment.carrier_code, shipment.tracking_number) == ("UPS", "1Z2")

    _send(amazon)
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 2
    assert amazon.recorder.accepted(str(shipment.pk)) == 1
    [package] = amazon.packages(ao.amazon_order_id)
    assert package["carrier"] == "UPS" and package["trackingNumber"] == "1Z2"
    assert list(message.attempts_log.values_list("outcome", flat=True)) == ["refused", "sent"]
    with pytest.raises(InvalidInput, match="sent"):
        outbox_message_resend(message=message, changes={})


def test_throttled_confirmations_wait_and_each_package_is_sent_once(imported, enabled_account):
    # confirmShipment's plan scaled to a burst of 1: the second call in a row is throttled.
    amazon = make_amazon(rate_limits=True, rate_scale=0.1)
    ao1, order1 = imported()
    ao2, order2 = imported()
    for ao in (ao1, ao2):
        amazon.app.put_order(ao.raw)  # this sandbox is not the one ``imported`` filled
    s1, m1 = amazon_order_ship(now=amazon.clock.now(), order=order1, carrier_code="UPS", tracking_number="A1")
    s2, m2 = amazon_order_ship(now=amazon.clock.now(), order=order2, carrier_code="UPS", tracking_number="B1")

    assert _send(amazon) == 2
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert (m1.state, m2.state) == ("sent", "pending")
    assert m2.attempts == 1 and "throttled" in m2.last_error and m2.next_attempt_at > amazon.clock.now()
    assert _send(amazon) == 0  # not due yet

    amazon.clock.advance(3600)
    assert _send(amazon) == 1
    m2.refresh_from_db()
    assert m2.state == "sent"
    assert [amazon.recorder.accepted(str(s.pk)) for s in (s1, s2)] == [1, 1]
    assert amazon.app.calls()["throttled"] == 1
    assert len(amazon.packages(ao2.amazon_order_id, str(s2.pk))) == 1
    assert source_qty("SKU-A") == 6 and source_qty("SKU-B") == 3
    assert ledger(order1) == ledger(order2) == {"SKU-A": 0, "SKU-B": 0}


class Script:
    """Plays the sandbox's faults on confirmShipment calls in a given order (the sandbox draws
    them at random, on every operation)."""

    def __init__(self, app, *faults):
        self.app = app
        self.faults = list(faults)
        self.stall_seconds = 35.0
        self._seen = app.calls()["operations"]["confirmShipment"]

    def draw(self):
        confirms = self.app.calls()["operations"]["confirmShipment"]
        if confirms == self._seen:  # a token call
            return None
        self._seen = confirms
        return self.faults.pop(0) if self.faults else None


def test_transient_failures_are_retried_and_amazon_sees_one_package(imported, amazon):
    ao, order = imported()
    shipment, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z1")
    ref = str(shipment.pk)
    # A 503, a 500, then an answer lost after Amazon recorded the package (a stall), then fine.
    amazon.app.faults = Script(amazon.app, Fault.UNAVAILABLE, Fault.SERVER_ERROR, Fault.STALL)
    for _ in range(3):
        _send(amazon)
        message.refresh_from_db()
        assert message.state == "pending"
        amazon.clock.advance((message.next_attempt_at - amazon.clock.now()).total_seconds() + 1)
    assert len(amazon.packages(ao.amazon_order_id, ref)) == 1  # the stalled call did reach Amazon
    _send(amazon)
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 4
    assert amazon.recorder.tried(ref) == 4 and amazon.recorder.accepted(ref) == 1
    assert {p["packageReferenceId"] for p in amazon.packages(ao.amazon_order_id)} == {ref}
    outcomes = list(OutboxAttempt.objects.filter(message=message).values_list("outcome", flat=True))
    assert outcomes == ["retry", "retry", "retry", "sent"]
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4) and ledger(order) == {"SKU-A": 0, "SKU-B": 0}


def test_back_off_grows_and_honours_retry_after():
    import random

    from saleschannel.channel.outbox.services import retry_delay

    rng = random.Random(1)
    firsts = [retry_delay(1, rng=rng) for _ in range(20)]
    fifths = [retry_delay(5, rng=rng) for _ in range(20)]
    assert all(15 <= d <= 30 for d in firsts) and all(240 <= d <= 480 for d in fifths)
    assert retry_delay(1, retry_after=100, rng=rng) >= 100
    assert all(retry_delay(40, rng=rng) <= 3600 for _ in range(5))


def test_a_worker_killed_before_sending_leaves_the_row_and_the_next_sends_it_once(imported, amazon):
    ao, order = imported()
    shipment, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z1")
    # The worker claimed the message, then died before it sent anything.
    from saleschannel.channel.outbox.services.sender import CLAIM_SECONDS, _claim

    assert _claim(amazon.clock.now(), 50, "dead-worker") == [message.pk]
    assert _send(amazon) == 0  # the claim still holds
    assert amazon.recorder.tried(str(shipment.pk)) == 0
    later = amazon.clock.now() + dt.timedelta(seconds=CLAIM_SECONDS + 1)
    assert _send(amazon, later) == 1
    message.refresh_from_db()
    assert message.state == "sent"
    assert amazon.recorder.accepted(str(shipment.pk)) == 1 and len(amazon.packages(ao.amazon_order_id)) == 1


def test_a_worker_killed_after_amazon_accepted_resends_the_same_package(imported, amazon):
    ao, order = imported()
    shipment, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z1")
    ref = str(shipment.pk)

    class Killed(BaseException):
        pass

    class DiesAfterAnswer(Recorder):
        def handle_request(self, request):
            response = super().handle_request(request)
            if request.url.path.endswith("/shipmentConfirmation"):
                raise Killed()  # the process dies before it reads Amazon's answer
            return response

    dying = DiesAfterAnswer(amazon.app.transport())
    amazon.recorder, healthy = dying, amazon.recorder
    with pytest.raises(Killed):
        _send(amazon)
    message.refresh_from_db()
    assert message.state == "pending" and dying.accepted(ref) == 1  # Amazon has it; we never heard

    amazon.recorder = healthy
    assert _send(amazon, amazon.clock.now() + dt.timedelta(seconds=301)) == 1
    message.refresh_from_db()
    assert message.state == "sent"
    assert len(amazon.packages(ao.amazon_order_id)) == 1  # sent twice, one package at Amazon


def test_send_now_sends_one_message_at_once(imported, amazon):
    _, order = imported()
    _, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z1")
    client = amazon.factory(message.account, amazon.clock)
    sent = outbox_message_send(message=message, client=client, now=amazon.clock.now(), clock=amazon.clock)
    assert sent.state == "sent"
    again = outbox_message_send(message=message, client=client, now=amazon.clock.now(), clock=amazon.clock)
    assert again.state == "sent" and amazon.recorder.tried(message.package_reference_id) == 1


def test_ledger_is_exact_after_every_path(imported, amazon):
    """Shipping moves the same stock whatever happens to the confirmation afterwards."""
    amazon.recorder.refuse_carriers = frozenset({"BAD"})
    _, order = imported()
    amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="BAD", tracking_number="1")
    _send(amazon)
    assert OutboxMessage.objects.get().state == "refused"
    order.refresh_from_db()
    assert order.state == "complete"
    assert (source_qty("SKU-A"), source_qty("SKU-B")) == (8, 4)
    assert ledger(order) == {"SKU-A": 0, "SKU-B": 0}


def test_an_account_to_reconnect_keeps_its_messages_untried_until_it_is_connected_again(imported, amazon):
    from saleschannel.channel.models import Account

    _, order = imported()
    _, message = amazon_order_ship(now=amazon.clock.now(), order=order, carrier_code="UPS", tracking_number="1Z2")
    Account.objects.filter(pk=message.account_id).update(credentials_state=Account.CredentialsState.NEEDS_RECONNECTING)
    later = amazon.clock.now() + dt.timedelta(days=2)
    assert _send(amazon, later) == 0
    message.refresh_from_db()
    assert message.state == "pending" and message.attempts == 0
    assert amazon.recorder.tried(message.package_reference_id) == 0
    Account.objects.filter(pk=message.account_id).update(credentials_state=Account.CredentialsState.OK)
    assert _send(amazon, later) == 1
    message.refresh_from_db()
    assert message.state == "sent" and amazon.recorder.accepted(message.package_reference_id) == 1
