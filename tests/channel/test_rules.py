"""The pure rules (``saleschannel.channel.rules``), without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleschannel.channel import rules
from saleschannel.channel.rules import (
    AccountView,
    Action,
    Channel,
    ImportState,
    Line,
    OrderState,
    OrderView,
    PendingAction,
    Reason,
    SettingsView,
    SkuStock,
    StockView,
    order_decide,
)

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
ACCOUNT = AccountView(integrated_at=T0, import_periods=((T0, None),))
ENABLED = SettingsView(import_enabled=True, reserve_pending=False, new_customer_account=False)
RESERVING = SettingsView(import_enabled=True, reserve_pending=True, new_customer_account=False)
ELIGIBLE = OrderState(auto_eligible=True)

# The source's table "Order Creation with Multi Source Inventory", as printed in
# tests/data/order-creation-msi.md: channel, inventory statuses, Amazon status, create order, inventory reserved.
SOURCE_TABLE = [
    ("FBA", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Pending", "No", "No"),
    ("FBA", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "PendingAvailability", "No", "No"),
    ("FBA", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Canceled", "No", "No"),
    ("FBA", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Error", "No", "No"),
    ("FBA", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Unshipped", "No", "No"),
    ("FBA", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "PartiallyShipped", "No", "No"),
    ("FBA", "In-stock<br/>Do Not Manage", "Shipped", "Yes", "No"),
    ("FBA", "Out-of-stock", "Shipped", "No", "No"),
    ("FBM", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Pending", "No", "No"),
    ("FBM", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "PendingAvailability", "No", "No"),
    ("FBM", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Canceled", "No", "No"),
    ("FBM", "In-stock<br/>Out-of-stock<br/>Do Not Manage", "Error", "No", "No"),
    ("FBM", "In-stock<br/>Do Not Manage", "Unshipped", "Yes", "Yes"),
    ("FBM", "Out-of-stock", "Unshipped", "No", "No"),
    ("FBM", "In-stock<br/>Do Not Manage", "PartiallyShipped", "Yes", "Yes"),
    ("FBM", "Out-of-stock", "PartiallyShipped", "No", "No"),
    ("FBM", "In-stock<br/>Do Not Manage", "Shipped", "Yes", "Yes"),
    ("FBM", "Out-of-stock", "Shipped", "No", "No"),
]

SOURCE_CASES = [
    pytest.param(channel, inventory, status, create == "Yes", reserved == "Yes",
                 id=f"{channel}-{status}-{inventory}")
    for channel, inventories, status, create, reserved in SOURCE_TABLE
    for inventory in inventories.split("<br/>")
]

STOCK_FOR = {
    "In-stock": SkuStock(manage_stock=True, salable=Decimal(10)),
    "Out-of-stock": SkuStock(manage_stock=True, salable=Decimal(0)),
    "Do Not Manage": SkuStock(manage_stock=False),
}


def view(status: str = "Unshipped", channel: Channel | None = Channel.FBM, *, lines=(Line("A", 2),),
         purchased_at: dt.datetime = T0 + dt.timedelta(days=1), email: str = "b@example.com",
         **extra) -> OrderView:
    return OrderView(amazon_order_id="111-0000001-0000001", status=status, channel=channel,
                     purchased_at=purchased_at, last_updated_at=purchased_at, lines=tuple(lines),
                     buyer_email=email, buyer_name="Buyer", **extra)


# The source document's section "Magento Order Creation", copied unmodified into the project.
SEED = Path(__file__).resolve().parents[1] / "data" / "order-creation-msi.md"


def _seed_table_rows() -> list[tuple[str, ...]]:
    """The rows of the source's table "Order Creation with Multi Source Inventory", as printed."""
    text = SEED.read_text(encoding="utf-8")
    section = text.split("### Order Creation with Multi Source Inventory", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|FB")]
    return [tuple(cell.strip() for cell in row.strip("|").split("|")) for row in rows]


def test_r7_the_tests_table_is_the_source_document_s_table():
    assert len(_seed_table_rows()) == 18
    assert _seed_table_rows() == SOURCE_TABLE


def test_r7_the_rules_matrix_has_the_source_tables_rows_in_its_order():
    printed = [(r.channel.value, "<br/>".join(i.value for i in r.inventory), r.status.value,
                "Yes" if r.create_order else "No", "Yes" if r.inventory_reserved else "No")
               for r in rules.CREATION_MATRIX]
    assert printed == SOURCE_TABLE


@pytest.mark.parametrize(("channel", "inventory", "status", "created", "reserved"), SOURCE_CASES)
def test_r7_source_table_row_decides_creation_and_reservation(channel, inventory, status, created, reserved):
    order = view(status, Channel(channel))
    if status == "Error":
        order = view(status, Channel(channel), readable=False, unreadable_reason="orderItems: missing")
    decision = order_decide(order=order, settings=ENABLED, account=ACCOUNT,
                            stock=StockView(skus={"A": STOCK_FOR[inventory]}), state=ELIGIBLE)
    assert decision.creates is created
    assert (decision.creates and decision.reserve) is reserved
    assert decision.pending is PendingAction.NONE


def test_r7_worst_item_status_decides_out_of_stock_beats_in_stock_and_do_not_manage():
    stock = StockView(skus={"A": SkuStock(True, Decimal(5)), "B": SkuStock(False), "C": SkuStock(True, Decimal(1))})
    order = view(lines=[Line("A", 1), Line("B", 1), Line("C", 2)])
    decision = order_decide(order=order, settings=ENABLED, account=ACCOUNT, stock=stock, state=ELIGIBLE)
    assert decision.action is Action.WAIT
    assert decision.reason == "out of stock: SKU C, salable 1, ordered 2"


def test_r8_two_lines_of_one_sku_count_together():
    stock = StockView(skus={"A": SkuStock(True, Decimal(3))})
    order = view(lines=[Line("A", 2), Line("A", 2)])
    decision = order_decide(order=order, settings=ENABLED, account=ACCOUNT, stock=stock, state=ELIGIBLE)
    assert decision.reason_code is Reason.OUT_OF_STOCK
    assert "ordered 4" in decision.reason


def test_r8_the_orders_own_pending_reservation_counts_as_available():
    stock = StockView(skus={"A": SkuStock(True, Decimal(0))}, own_pending={"A": Decimal(2)})
    state = OrderState(auto_eligible=True, holds_pending_reservation=True)
    decision = order_decide(order=view(), settings=RESERVING, account=ACCOUNT, stock=stock, state=state)
    assert decision.creates and decision.reserve
    assert decision.pending is PendingAction.TRANSFER


def test_r10_unmatched_sku_counts_as_do_not_manage():
    decision = order_decide(order=view(lines=[Line("NEW", 5)]), settings=ENABLED, account=ACCOUNT,
                            stock=StockView(), state=ELIGIBLE)
    assert decision.creates
    assert decision.inventory is rules.DO_NOT_MANAGE


def test_r4_order_placed_before_integration_never_imports_even_by_hand():
    order = view(purchased_at=T0 - dt.timedelta(seconds=1))
    decision = order_decide(order=order, settings=ENABLED, account=ACCOUNT, stock=StockView(), state=ELIGIBLE,
                            manual=True)
    assert decision.action is Action.NEVER
    assert decision.import_state is ImportState.NOT_IMPORTABLE
    assert decision.reason == "placed before integration"


def test_r1_import_disabled_creates_nothing_and_releases_a_pending_reservation():
    disabled = SettingsView(import_enabled=False, reserve_pending=True, new_customer_account=False)
    state = OrderState(auto_eligible=True, holds_pending_reservation=True)
    decision = order_decide(order=view(), settings=disabled, account=ACCOUNT, stock=StockView(), state=state)
    assert decision.action is Action.NEVER
    assert decision.reason == "not imported: import disabled"
    assert decision.pending is PendingAction.COMPENSATE


def test_r5_order_not_eligible_is_importable_by_hand_only():
    state = OrderState(auto_eligible=False)
    auto = order_decide(order=view(), settings=ENABLED, account=ACCOUNT, stock=StockView(), state=state)
    by_hand = order_decide(order=view(), settings=ENABLED, account=ACCOUNT, stock=StockView(), state=state,
                           manual=True)
    assert auto.action is Action.NEVER
    assert auto.reason == "reached Unshipped while import was disabled"
    assert by_hand.creates


def test_r5_a_snapshot_in_a_creating_status_inside_an_import_period_makes_the_order_eligible():
    start, end = T0 + dt.timedelta(days=2), T0 + dt.timedelta(days=3)
    account = AccountView(integrated_at=T0, import_periods=((start, end),))
    inside = view(purchased_at=start + dt.timedelta(hours=1))
    after = view(purchased_at=end + dt.timedelta(hours=1))
    canceled = view("Canceled", purchased_at=start + dt.timedelta(hours=1))
    assert rules.snapshot_makes_eligible(inside, account)
    assert not rules.snapshot_makes_eligible(after, account)
    assert not rules.snapshot_makes_eligible(canceled, account)


def test_r6_pending_creates_nothing():
    decision = order_decide(order=view("Pending"), settings=ENABLED, account=ACCOUNT,
                            stock=StockView(skus={"A": SkuStock(True, Decimal(9))}), state=ELIGIBLE)
    assert decision.action is Action.WAIT
    assert decision.pending is PendingAction.NONE


def test_r12_reserve_setting_reserves_pending_fbm_order_when_every_item_is_salable():
    stock = StockView(skus={"A": SkuStock(True, Decimal(2))})
    decision = order_decide(order=view("Pending"), settings=RESERVING, account=ACCOUNT, stock=stock,
                            state=ELIGIBLE)
    assert decision.pending is PendingAction.RESERVE
    assert decision.action is Action.WAIT


def test_r12_reserve_setting_reserves_nothing_when_short_and_says_so():
    stock = StockView(skus={"A": SkuStock(True, Decimal(1))})
    decision = order_decide(order=view("PendingAvailability"), settings=RESERVING, account=ACCOUNT,
                            stock=stock, state=ELIGIBLE)
    assert decision.pending is PendingAction.NONE
    assert "nothing reserved" in decision.reason and "SKU A, salable 1, ordered 2" in decision.reason


def test_r12_fba_pending_never_reserves():
    decision = order_decide(order=view("Pending", Channel.FBA), settings=RESERVING, account=ACCOUNT,
                            stock=StockView(skus={"A": SkuStock(True, Decimal(9))}), state=ELIGIBLE)
    assert decision.pending is PendingAction.NONE
    assert decision.reason == "FBA: waiting for Shipped"


@pytest.mark.parametrize("status", ["Canceled", "Unfulfillable"])
def test_r12_canceled_pending_order_compensates_its_reservation(status):
    state = OrderState(auto_eligible=True, holds_pending_reservation=True)
    decision = order_decide(order=view(status), settings=RESERVING, account=ACCOUNT, stock=StockView(), state=state)
    assert decision.import_state is ImportState.NOT_IMPORTABLE
    assert decision.pending is PendingAction.COMPENSATE


def test_r12_no_reserve_releases_a_reservation_kept_from_before():
    state = OrderState(auto_eligible=True, holds_pending_reservation=True)
    decision = order_decide(order=view("Pending"), settings=ENABLED, account=ACCOUNT, stock=StockView(), state=state)
    assert decision.pending is PendingAction.COMPENSATE


def test_r17_imported_order_canceled_at_amazon_is_canceled_unless_it_shipped():
    imported = OrderState(imported=True)
    shipped = OrderState(imported=True, store_order_shipped=True)
    cancel = order_decide(order=view("Canceled"), settings=ENABLED, account=ACCOUNT, stock=StockView(),
                          state=imported)
    keep = order_decide(order=view("Canceled"), settings=ENABLED, account=ACCOUNT, stock=StockView(), state=shipped)
    assert cancel.action is Action.CANCEL
    assert keep.action is Action.KEEP


def test_r17_cancellations_apply_to_imported_orders_while_import_is_disabled():
    disabled = SettingsView(import_enabled=False, reserve_pending=False, new_customer_account=False)
    decision = order_decide(order=view("Canceled"), settings=disabled, account=ACCOUNT, stock=StockView(),
                            state=OrderState(imported=True))
    assert decision.action is Action.CANCEL


def test_r20_no_prices_never_creates_from_that_snapshot():
    order = view(lines=[Line("A", 1, has_price=False)])
    decision = order_decide(order=order, settings=ENABLED, account=ACCOUNT, stock=StockView(), state=ELIGIBLE)
    assert decision.action is Action.WAIT
    assert decision.reason == "Amazon sent no prices yet"


def test_r11_missing_buyer_email_makes_a_guest_order_with_placeholders():
    decision = order_decide(order=view(email=""), settings=ENABLED, account=ACCOUNT, stock=StockView(),
                            state=ELIGIBLE)
    assert decision.creates and decision.buyer_withheld
    assert rules.placeholder_email("111-1") == "111-1@buyer.amazon.invalid"


def test_c37_unknown_status_creates_nothing_is_not_an_error_and_is_shown_as_it_came():
    decision = order_decide(order=view("InvoiceUnconfirmed"), settings=ENABLED, account=ACCOUNT,
                            stock=StockView(), state=ELIGIBLE)
    assert decision.action is Action.NEVER and decision.import_state is ImportState.NOT_IMPORTABLE
    assert decision.reason == "Amazon status InvoiceUnconfirmed is not one that creates orders"


def test_c12_zero_quantity_lines_are_skipped_and_an_order_of_only_zeros_fails():
    some = order_decide(order=view(lines=[Line("A", 0), Line("B", 1)]), settings=ENABLED, account=ACCOUNT,
                        stock=StockView(), state=ELIGIBLE)
    none = order_decide(order=view(lines=[Line("A", 0)]), settings=ENABLED, account=ACCOUNT,
                        stock=StockView(), state=ELIGIBLE)
    assert some.creates and [line.sku for line in some.lines] == ["B"]
    assert none.action is Action.ERROR
    assert none.reason == "the order has no line with a positive quantity"


def test_r9_fba_unshipped_waits_for_shipped():
    decision = order_decide(order=view("Unshipped", Channel.FBA), settings=ENABLED, account=ACCOUNT,
                            stock=StockView(), state=ELIGIBLE)
    assert decision.import_state is ImportState.WAITING
    assert decision.reason == "FBA: waiting for Shipped"


# --- properties of the pure rules -------------------------------------------------------------

_statuses = st.sampled_from([s.value for s in rules.Status] + ["InvoiceUnconfirmed"])
_lines = st.lists(st.builds(Line, sku=st.sampled_from(["A", "B", "C", ""]), quantity=st.integers(-1, 4),
                            has_price=st.booleans()), max_size=4)
_stock = st.builds(StockView, skus=st.dictionaries(
    st.sampled_from(["A", "B", "C"]),
    st.builds(SkuStock, manage_stock=st.sampled_from([True, False, None]),
              salable=st.integers(0, 5).map(Decimal))))


@given(status=_statuses, channel=st.sampled_from([Channel.FBA, Channel.FBM, None]), lines=_lines,
       stock=_stock, days=st.integers(-2, 2), enabled=st.booleans(), reserve=st.booleans(),
       eligible=st.booleans(), holds=st.booleans(), manual=st.booleans())
def test_rules_properties_hold_for_any_order(status, channel, lines, stock, days, enabled, reserve, eligible,
                                             holds, manual):
    order = view(status, channel, lines=lines, purchased_at=T0 + dt.timedelta(days=days, seconds=1))
    settings_view = SettingsView(import_enabled=enabled, reserve_pending=reserve, new_customer_account=False)
    state = OrderState(auto_eligible=eligible, holds_pending_reservation=holds)
    decision = order_decide(order=order, settings=settings_view, account=ACCOUNT, stock=stock, state=state,
                            manual=manual)
    if decision.creates:
        assert enabled and order.purchased_at >= T0  # R1, R4
        assert status in ("Unshipped", "PartiallyShipped", "Shipped")  # R6, R7
        assert decision.inventory is not rules.OUT_OF_STOCK  # R7
        assert all(line.quantity > 0 and line.has_price for line in decision.lines)  # C12, R20
        assert decision.reserve is (channel is Channel.FBM)  # R12
    if channel is Channel.FBA:
        assert not decision.reserve and decision.pending is not PendingAction.RESERVE  # R12
    if decision.pending is PendingAction.RESERVE:
        assert enabled and reserve and not holds and status in ("Pending", "PendingAvailability")
    if not holds:
        assert decision.pending not in (PendingAction.COMPENSATE, PendingAction.TRANSFER)
    assert decision.reason.strip()
