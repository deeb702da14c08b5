"""Whole decisions of the rules, field by field, where mutation testing found the tests read only part.

The matrix tests check what a decision does (create, reserve); the import state, the reason code
and the words the dashboard shows are read elsewhere only through the database. These tests pin
each field of the decisions for an imported order (R17) and for a Pending one (R6, R12), and
the wording of shortages and of a line with no SKU (docs/mutation.md); then every refusal and
error with the pending reservation it gives back, the words of unknown and Error statuses, and
the inventory status of mixed items.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from saleschannel.channel.rules import (
    AccountView,
    Action,
    Channel,
    Decision,
    ImportState,
    Inventory,
    Line,
    OrderState,
    OrderView,
    PendingAction,
    Reason,
    SettingsView,
    Shortage,
    SkuStock,
    StockView,
    in_import_period,
    inventory_status,
    lines_problem,
    order_decide,
    shortage_text,
    snapshot_makes_eligible,
)

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
ACCOUNT = AccountView(integrated_at=T0, import_periods=((T0, None),))
ENABLED = SettingsView(import_enabled=True, reserve_pending=False, new_customer_account=False)
RESERVING = SettingsView(import_enabled=True, reserve_pending=True, new_customer_account=False)
LINES = (Line("A", 2),)


def view(status: str, channel: Channel = Channel.FBM) -> OrderView:
    return OrderView(amazon_order_id="111-0000001-0000001", status=status, channel=channel,
                     purchased_at=T0 + dt.timedelta(days=1), last_updated_at=T0 + dt.timedelta(days=1),
                     lines=LINES, buyer_email="b@example.com", buyer_name="Buyer")


def decide(status: str, *, channel: Channel = Channel.FBM, settings: SettingsView = ENABLED,
           state: OrderState = OrderState(auto_eligible=True), salable: int = 10) -> Decision:
    stock = StockView(skus={"A": SkuStock(manage_stock=True, salable=Decimal(salable))})
    return order_decide(order=view(status, channel), settings=settings, account=ACCOUNT, stock=stock, state=state)


def test_an_imported_order_canceled_at_amazon_is_canceled_in_so_many_words():
    state = OrderState(imported=True, auto_eligible=True)
    assert decide("Canceled", state=state) == Decision(
        Action.CANCEL, ImportState.IMPORTED, Reason.CANCELED, "canceled at Amazon: the store order is canceled")


def test_an_imported_order_otherwise_stays_imported():
    state = OrderState(imported=True, auto_eligible=True)
    keep = Decision(Action.KEEP, ImportState.IMPORTED, Reason.IMPORTED, "imported")
    assert decide("Shipped", state=state) == keep
    assert decide("Canceled", state=OrderState(imported=True, store_order_shipped=True)) == keep
    assert decide("Canceled", state=OrderState(imported=True, store_order_canceled=True)) == keep


def test_pending_decisions_field_by_field():
    assert decide("Pending", channel=Channel.FBA) == Decision(
        Action.WAIT, ImportState.WAITING, Reason.FBA_NOT_SHIPPED, "FBA: waiting for Shipped", lines=LINES)
    held = OrderState(auto_eligible=True, holds_pending_reservation=True)
    assert decide("Pending", channel=Channel.FBA, state=held) == Decision(  # R12: an FBA order holds nothing
        Action.WAIT, ImportState.WAITING, Reason.FBA_NOT_SHIPPED, "FBA: waiting for Shipped",
        pending=PendingAction.COMPENSATE, lines=LINES)
    assert decide("Pending") == Decision(
        Action.WAIT, ImportState.WAITING, Reason.PENDING, "Pending at Amazon: waiting for Unshipped", lines=LINES)
    assert decide("Pending", settings=RESERVING, state=held) == Decision(
        Action.WAIT, ImportState.WAITING, Reason.PENDING, "Pending at Amazon: quantity reserved", lines=LINES)
    assert decide("Pending", settings=RESERVING, salable=1) == Decision(
        Action.WAIT, ImportState.WAITING, Reason.OUT_OF_STOCK,
        "Pending at Amazon, nothing reserved: out of stock: SKU A, salable 1, ordered 2",
        lines=LINES, inventory=Inventory.OUT_OF_STOCK)
    assert decide("Pending", settings=RESERVING) == Decision(
        Action.WAIT, ImportState.WAITING, Reason.PENDING, "Pending at Amazon: quantity reserved",
        pending=PendingAction.RESERVE, lines=LINES, inventory=Inventory.IN_STOCK)


def test_shortages_are_listed_with_a_semicolon_between_them():
    text = shortage_text([Shortage("A", Decimal(0), 2), Shortage("B", Decimal("1.5"), 3)])
    assert text == "out of stock: SKU A, salable 0, ordered 2; SKU B, salable 1.5, ordered 3"


def test_a_line_of_one_unit_without_a_sku_is_a_problem():
    assert lines_problem([Line("  ", 1)]) == "line 1 has no seller SKU"
    assert lines_problem([Line("  ", 0)]) is None  # C12: a line of 0 is skipped, SKU or not


def test_an_order_placed_at_the_very_instant_of_integration_may_import():
    at_integration = OrderView(amazon_order_id="111-0000001-0000002", status="Unshipped", channel=Channel.FBM,
                               purchased_at=T0, last_updated_at=T0, lines=LINES, buyer_email="b@example.com",
                               buyer_name="Buyer")
    stock = StockView(skus={"A": SkuStock(manage_stock=True, salable=Decimal(10))})
    decision = order_decide(order=at_integration, settings=ENABLED, account=ACCOUNT, stock=stock,
                            state=OrderState(auto_eligible=True))
    assert decision.action is Action.CREATE


def test_no_time_is_in_no_import_period():
    assert not in_import_period(None, ((T0, None),))
    assert in_import_period(T0, ((T0, None),))


def test_refusals_and_errors_field_by_field():
    assert decide("Canceled", state=OrderState()) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.NEVER_STATUS, "Canceled before import")
    # C37: a status the model does not name is no error: not importable, with a plain reason.
    assert decide("Lost in the post") == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.UNKNOWN_STATUS,
        "Amazon status Lost in the post is not one that creates orders")
    blank = OrderView(amazon_order_id="111-0000001-0000003", status="Unshipped", channel=Channel.FBM,
                      purchased_at=T0 + dt.timedelta(days=1), last_updated_at=T0 + dt.timedelta(days=1),
                      lines=(Line(" ", 1),), buyer_email="b@example.com", buyer_name="Buyer")
    assert order_decide(order=blank, settings=ENABLED, account=ACCOUNT, stock=StockView(),
                        state=OrderState(auto_eligible=True)) == Decision(
        Action.ERROR, ImportState.ERROR, Reason.BAD_DATA, "line 1 has no seller SKU")


def test_an_import_period_ends_before_its_end():
    end = T0 + dt.timedelta(days=2)
    assert in_import_period(end - dt.timedelta(microseconds=1), ((T0, end),))
    assert not in_import_period(end, ((T0, end),))


def test_a_snapshot_makes_an_order_eligible_only_when_placed_from_integration_on():
    def placed(at):
        return OrderView(amazon_order_id="111-0000001-0000004", status="Unshipped", channel=Channel.FBM,
                         purchased_at=at, last_updated_at=T0 + dt.timedelta(days=1), lines=LINES)

    assert snapshot_makes_eligible(placed(T0), ACCOUNT)
    assert not snapshot_makes_eligible(placed(T0 - dt.timedelta(seconds=1)), ACCOUNT)
    assert not snapshot_makes_eligible(placed(None), ACCOUNT)


def test_a_shortage_counts_the_orders_own_pending_reservation_as_salable():
    stock = StockView(skus={"A": SkuStock(manage_stock=True, salable=Decimal(1))}, own_pending={"A": Decimal(1)})
    inventory, shortages = inventory_status((Line("A", 3),), stock)
    assert inventory is Inventory.OUT_OF_STOCK
    assert shortages == (Shortage("A", Decimal(2), 3),)


def test_an_order_without_prices_waits_field_by_field():
    no_prices = OrderView(amazon_order_id="111-0000001-0000005", status="Unshipped", channel=Channel.FBM,
                          purchased_at=T0 + dt.timedelta(days=1), last_updated_at=T0 + dt.timedelta(days=1),
                          lines=(Line("A", 2, has_price=False),), buyer_email="b@example.com", buyer_name="Buyer")
    stock = StockView(skus={"A": SkuStock(manage_stock=True, salable=Decimal(10))})
    decision = order_decide(order=no_prices, settings=ENABLED, account=ACCOUNT, stock=stock,
                            state=OrderState(auto_eligible=True))
    assert decision == Decision(Action.WAIT, ImportState.WAITING, Reason.NO_PRICES, "Amazon sent no prices yet",
                                pending=PendingAction.NONE, lines=(Line("A", 2, has_price=False),))


def test_creating_decisions_field_by_field():
    held = OrderState(auto_eligible=True, holds_pending_reservation=True)
    assert decide("Unshipped") == Decision(
        Action.CREATE, ImportState.IMPORTED, Reason.CREATE, "creating the store order", reserve=True,
        lines=LINES, inventory=Inventory.IN_STOCK)
    assert decide("Unshipped", state=held) == Decision(
        Action.CREATE, ImportState.IMPORTED, Reason.CREATE, "creating the store order", reserve=True,
        pending=PendingAction.TRANSFER, lines=LINES, inventory=Inventory.IN_STOCK)
    assert decide("Shipped", channel=Channel.FBA, state=held) == Decision(
        Action.CREATE, ImportState.IMPORTED, Reason.CREATE, "creating the store order",
        pending=PendingAction.COMPENSATE, lines=LINES, inventory=Inventory.IN_STOCK)
    assert decide("Unshipped", channel=Channel.FBA, state=held) == Decision(
        Action.WAIT, ImportState.WAITING, Reason.FBA_NOT_SHIPPED, "FBA: waiting for Shipped",
        pending=PendingAction.COMPENSATE, lines=LINES, inventory=Inventory.IN_STOCK)
    assert decide("Unshipped", salable=1) == Decision(
        Action.WAIT, ImportState.WAITING, Reason.OUT_OF_STOCK, "out of stock: SKU A, salable 1, ordered 2",
        lines=LINES, inventory=Inventory.OUT_OF_STOCK)


def test_money_in_two_currencies_or_an_unknown_one_is_bad_data():
    def priced(currencies):
        return OrderView(amazon_order_id="111-0000001-0000006", status="Unshipped", channel=Channel.FBM,
                         purchased_at=T0 + dt.timedelta(days=1), last_updated_at=T0 + dt.timedelta(days=1),
                         lines=LINES, buyer_email="b@example.com", buyer_name="Buyer", currencies=currencies)

    stock = StockView(skus={"A": SkuStock(manage_stock=True, salable=Decimal(10))})

    def decided(currencies):
        return order_decide(order=priced(currencies), settings=ENABLED, account=ACCOUNT, stock=stock,
                            state=OrderState(auto_eligible=True))

    assert decided(frozenset({"USD", "EUR"})) == Decision(
        Action.ERROR, ImportState.ERROR, Reason.BAD_DATA, "the order's money is in more than one currency (EUR, USD)")
    assert decided(frozenset({"ABCDEFGHIJKLMNOPQR"})).reason == "unknown currency 'ABCDEFGHIJKLMNOP'"
    assert decided(frozenset({"USD"})).action is Action.CREATE


def test_an_order_that_does_not_say_who_fulfills_it_is_an_error():
    unknown = OrderView(amazon_order_id="111-0000001-0000007", status="Unshipped", channel=None,
                        purchased_at=T0 + dt.timedelta(days=1), last_updated_at=T0 + dt.timedelta(days=1),
                        lines=LINES, buyer_email="b@example.com", buyer_name="Buyer")
    assert order_decide(order=unknown, settings=ENABLED, account=ACCOUNT, stock=StockView(),
                        state=OrderState(auto_eligible=True)) == Decision(
        Action.ERROR, ImportState.ERROR, Reason.UNREADABLE, "Amazon did not say who fulfills the order (FBA or FBM)")


HELD = OrderState(auto_eligible=True, holds_pending_reservation=True)


def order(status: str = "Unshipped", **fields) -> OrderView:
    values = {"amazon_order_id": "111-0000001-0000008", "status": status, "channel": Channel.FBM,
              "purchased_at": T0 + dt.timedelta(days=1), "last_updated_at": T0 + dt.timedelta(days=1),
              "lines": LINES, "buyer_email": "b@example.com", "buyer_name": "Buyer"}
    values.update(fields)
    return OrderView(**values)


def decided(the_order: OrderView, *, settings: SettingsView = ENABLED, state: OrderState = OrderState(auto_eligible=True),
            stock: StockView | None = None, manual: bool = False) -> Decision:
    stock = stock or StockView(skus={"A": SkuStock(manage_stock=True, salable=Decimal(10))})
    return order_decide(order=the_order, settings=settings, account=ACCOUNT, stock=stock, state=state, manual=manual)


def test_an_unreadable_order_is_an_error_that_gives_back_a_pending_reservation():
    unreadable = order(readable=False, unreadable_reason="no JSON")
    assert decided(unreadable, state=HELD) == Decision(
        Action.ERROR, ImportState.ERROR, Reason.UNREADABLE, "Amazon's data cannot be read: no JSON",
        pending=PendingAction.COMPENSATE)
    assert decided(unreadable).pending is PendingAction.NONE


def test_the_channels_own_error_status_or_none_is_an_error_whatever_the_settings():
    disabled = SettingsView(import_enabled=False, reserve_pending=False, new_customer_account=False)
    for status in ("Error", ""):
        assert decided(order(status, purchased_at=T0 - dt.timedelta(days=1)), settings=disabled, state=HELD) == Decision(
            Action.ERROR, ImportState.ERROR, Reason.UNKNOWN_STATUS,
            f"Amazon reported the status {status!r}, which creates nothing", pending=PendingAction.COMPENSATE)


def test_an_unknown_status_is_shown_in_its_first_64_characters():
    long = "S" * 70
    assert decided(order(long)).reason == f"Amazon status {'S' * 64} is not one that creates orders"


def test_every_refusal_gives_back_a_pending_reservation():
    disabled = SettingsView(import_enabled=False, reserve_pending=False, new_customer_account=False)
    release = PendingAction.COMPENSATE
    assert decided(order(purchased_at=None), state=HELD) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.BEFORE_INTEGRATION, "placed before integration",
        pending=release)
    assert decided(order(purchased_at=T0 - dt.timedelta(seconds=1)), state=HELD).reason_code is Reason.BEFORE_INTEGRATION
    assert decided(order(), settings=disabled, state=HELD) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.IMPORT_DISABLED, "not imported: import disabled",
        pending=release)
    assert decided(order("Lost"), state=HELD) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.UNKNOWN_STATUS,
        "Amazon status Lost is not one that creates orders", pending=release)
    not_eligible = OrderState(holds_pending_reservation=True)
    assert decided(order("Unfulfillable"), state=not_eligible) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.NEVER_STATUS, "Unfulfillable before import", pending=release)
    assert decided(order("Unshipped"), state=not_eligible) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.REACHED_WHILE_DISABLED,
        "reached Unshipped while import was disabled", pending=release)
    # Eligible, or imported by hand: Canceled is decided by its status, the reservation given back too.
    assert decided(order("Canceled"), state=HELD) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.NEVER_STATUS, "Canceled before import", pending=release)
    assert decided(order("Canceled"), state=not_eligible, manual=True) == Decision(
        Action.NEVER, ImportState.NOT_IMPORTABLE, Reason.NEVER_STATUS, "Canceled before import", pending=release)


def test_an_order_not_eligible_imports_by_hand():
    assert decided(order(), state=OrderState(), manual=True).action is Action.CREATE
    assert decided(order(), state=OrderState()).action is Action.NEVER


def test_errors_of_the_lines_give_back_a_pending_reservation():
    assert decided(order(lines=(Line("A", 1), Line("B", -1))), state=HELD) == Decision(
        Action.ERROR, ImportState.ERROR, Reason.BAD_DATA, "line 2 has a negative quantity (-1)",
        pending=PendingAction.COMPENSATE)
    assert decided(order(lines=(Line("A", 0),)), state=HELD) == Decision(
        Action.ERROR, ImportState.ERROR, Reason.NO_LINES, "the order has no line with a positive quantity",
        pending=PendingAction.COMPENSATE)
    assert decided(order(channel=None), state=HELD).pending is PendingAction.COMPENSATE
    assert lines_problem([Line("A", 0), Line("", 2)]) == "line 2 has no seller SKU"
    assert lines_problem([Line("A", 0), Line("B", 1)]) is None


def test_money_is_not_checked_while_amazon_sent_no_order_total():
    without_total = order(has_order_total=False, currencies=frozenset({"USD", "EUR"}))
    assert decided(without_total).reason_code is Reason.NO_PRICES


def test_lines_of_zero_are_left_out_of_the_decision():
    decision = decided(order(lines=(Line("A", 0), Line("A", 2), Line("B", 1))))
    assert decision.lines == (Line("A", 2), Line("B", 1))
    assert decision.creates
    assert not decided(order(), state=OrderState()).creates


def test_the_worst_item_decides_the_inventory_status():
    stock = StockView(skus={
        "IN": SkuStock(manage_stock=True, salable=Decimal(2)),
        "OUT": SkuStock(manage_stock=True, salable=Decimal(0)),
        "FREE": SkuStock(manage_stock=False),
    })
    assert inventory_status((Line("FREE", 1), Line("NONE", 1)), stock) == (Inventory.DO_NOT_MANAGE, ())
    assert inventory_status((Line("FREE", 1), Line("IN", 2)), stock) == (Inventory.IN_STOCK, ())
    assert inventory_status((Line("IN", 1), Line("FREE", 1)), stock) == (Inventory.IN_STOCK, ())
    assert inventory_status((Line("OUT", 1), Line("IN", 1)), stock) == (
        Inventory.OUT_OF_STOCK, (Shortage("OUT", Decimal(0), 1),))
    assert inventory_status((Line("IN", 2), Line("IN", 1)), stock) == (
        Inventory.OUT_OF_STOCK, (Shortage("IN", Decimal(2), 3),))


def test_a_creating_order_with_a_withheld_email_is_marked_so():
    assert decided(order(buyer_email="  ")).buyer_withheld is True
    assert decided(order()).buyer_withheld is False


def test_salable_is_written_without_trailing_zeros():
    assert shortage_text([Shortage("A", Decimal("2.0000"), 3), Shortage("B", Decimal("0.2500"), 1)]) == (
        "out of stock: SKU A, salable 2, ordered 3; SKU B, salable 0.25, ordered 1")


def test_a_snapshot_outside_an_eligible_status_or_period_makes_nothing_eligible():
    assert snapshot_makes_eligible(order("Pending"), ACCOUNT)
    assert not snapshot_makes_eligible(order("Canceled"), ACCOUNT)
    assert not snapshot_makes_eligible(order("Lost"), ACCOUNT)
    closed = AccountView(integrated_at=T0, import_periods=((T0, T0 + dt.timedelta(hours=1)),))
    assert not snapshot_makes_eligible(order(), closed)
    assert not snapshot_makes_eligible(order(last_updated_at=None), ACCOUNT)
    assert not in_import_period(T0 - dt.timedelta(seconds=1), ((T0, None),))
    assert in_import_period(T0, ((T0 - dt.timedelta(days=2), T0 - dt.timedelta(days=1)), (T0, None)))


def test_two_currencies_are_named_in_their_first_eight_characters():
    decision = decided(order(currencies=frozenset({"USD", "ABCDEFGHIJ"})))
    assert decision.reason == "the order's money is in more than one currency (ABCDEFGH, USD)"


def test_a_salable_quantity_is_never_written_with_an_exponent():
    assert shortage_text([Shortage("A", Decimal("0.0000001"), 1)]) == (
        "out of stock: SKU A, salable 0.0000001, ordered 1")
