"""T4 and T6 as pure functions (``saleschannel.channel.stock.rules``), without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from saleschannel.channel.stock.rules import (
    Clause,
    Desired,
    DesiredInputs,
    Direction,
    PushCandidate,
    desired_quantity,
    push_direction,
    push_order,
)

BASE = DesiredInputs(manages_stock=True, enabled=True, is_placeholder=False, salable=Decimal(10),
                     in_flight=Decimal(0), threshold=0, maximum=None, do_not_manage_quantity=100)
T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def inputs(**changes: object) -> DesiredInputs:
    return dataclasses.replace(BASE, **changes)  # type: ignore[arg-type]


def test_t4_1_product_not_managing_stock_gets_the_do_not_manage_quantity():
    assert desired_quantity(inputs(manages_stock=False, salable=Decimal(3))) == Desired(100, Clause.DO_NOT_MANAGE)


def test_t4_1_comes_before_the_threshold_and_the_cap():
    got = desired_quantity(inputs(manages_stock=False, threshold=500, maximum=5))
    assert got == Desired(100, Clause.DO_NOT_MANAGE)


def test_t4_2_disabled_product_gets_zero():
    assert desired_quantity(inputs(enabled=False)) == Desired(0, Clause.DISABLED)


def test_t4_2_r10_placeholder_is_left_alone():
    got = desired_quantity(inputs(enabled=False, manages_stock=False, is_placeholder=True))
    assert got.left_alone and got == Desired(None, Clause.PLACEHOLDER)


def test_t4_3_salable_quantity_is_pushed():
    assert desired_quantity(inputs(salable=Decimal(7))) == Desired(7, Clause.SALABLE)


def test_t4_4_in_flight_guard_is_subtracted():
    assert desired_quantity(inputs(salable=Decimal(7), in_flight=Decimal(2))) == Desired(5, Clause.SALABLE)


def test_t4_5_below_threshold_gives_zero():
    assert desired_quantity(inputs(salable=Decimal(4), in_flight=Decimal(1), threshold=4)) == Desired(
        0, Clause.BELOW_THRESHOLD)


def test_t4_5_at_threshold_is_pushed():
    assert desired_quantity(inputs(salable=Decimal(4), threshold=4)) == Desired(4, Clause.SALABLE)


def test_t4_5_maximum_caps_but_never_raises():
    assert desired_quantity(inputs(salable=Decimal(50), maximum=20)) == Desired(20, Clause.CAPPED)
    assert desired_quantity(inputs(salable=Decimal(3), maximum=20)) == Desired(3, Clause.SALABLE)


def test_t4_5_never_below_zero():
    assert desired_quantity(inputs(salable=Decimal(-3), in_flight=Decimal(2))).quantity == 0
    assert desired_quantity(inputs(salable=Decimal("0.5"))) == Desired(0, Clause.SALABLE)


def test_t4_5_whole_units_rounded_down():
    assert desired_quantity(inputs(salable=Decimal("3.9"))) == Desired(3, Clause.SALABLE)
    assert desired_quantity(inputs(salable=Decimal("3.9"), threshold=4)) == Desired(0, Clause.BELOW_THRESHOLD)


def test_t4_1_a_do_not_manage_quantity_of_zero_is_pushed_as_zero_and_never_below():
    assert desired_quantity(inputs(manages_stock=False, do_not_manage_quantity=0)) == Desired(0, Clause.DO_NOT_MANAGE)
    assert desired_quantity(inputs(manages_stock=False, do_not_manage_quantity=-4)) == Desired(0, Clause.DO_NOT_MANAGE)


def test_t4_5_a_single_unit_is_pushed():
    assert desired_quantity(inputs(salable=Decimal(1))) == Desired(1, Clause.SALABLE)
    assert desired_quantity(inputs(salable=Decimal("1.5"), in_flight=Decimal("0.5"))) == Desired(1, Clause.SALABLE)


def test_t4_5_a_quantity_equal_to_the_maximum_is_not_capped():
    assert desired_quantity(inputs(salable=Decimal(20), maximum=20)) == Desired(20, Clause.SALABLE)
    assert desired_quantity(inputs(salable=Decimal(21), maximum=20)) == Desired(20, Clause.CAPPED)


quantities = st.decimals(min_value=-1000, max_value=100000, places=4, allow_nan=False, allow_infinity=False)


@given(salable=quantities, in_flight=st.integers(0, 1000), threshold=st.integers(0, 1000),
       maximum=st.none() | st.integers(1, 100000))
def test_t4_managed_desired_quantity_properties(salable, in_flight, threshold, maximum):
    got = desired_quantity(inputs(salable=salable, in_flight=Decimal(in_flight), threshold=threshold,
                                  maximum=maximum))
    assert got.quantity is not None and isinstance(got.quantity, int)
    assert got.quantity >= 0
    assert got.quantity <= max(salable - in_flight, 0)
    if maximum is not None:
        assert got.quantity <= maximum
    if salable - in_flight < threshold:
        assert got.quantity == 0
    elif maximum is None or salable - in_flight < maximum:
        assert got.quantity == max(math.floor(salable - in_flight), 0)


def test_t6_direction():
    assert push_direction(desired=0, last_known=5) is Direction.TO_ZERO
    assert push_direction(desired=0, last_known=None) is Direction.TO_ZERO
    assert push_direction(desired=3, last_known=5) is Direction.DECREASE
    assert push_direction(desired=7, last_known=5) is Direction.INCREASE
    assert push_direction(desired=7, last_known=None) is Direction.INCREASE
    assert push_direction(desired=5, last_known=5) is Direction.INCREASE  # the same figure is no decrease


def test_t6_to_zero_then_decreases_then_increases_oldest_first():
    old, new = T0, T0 + dt.timedelta(seconds=5)
    items = [
        PushCandidate("UP-OLD", 9, 5, old), PushCandidate("UP-NEW", 9, 5, new),
        PushCandidate("DOWN-NEW", 2, 5, new), PushCandidate("ZERO-NEW", 0, 5, new),
        PushCandidate("DOWN-OLD", 2, 5, old), PushCandidate("ZERO-OLD", 0, 5, old),
    ]
    assert [c.sku for c in push_order(items)] == ["ZERO-OLD", "ZERO-NEW", "DOWN-OLD", "DOWN-NEW", "UP-OLD", "UP-NEW"]


@given(st.lists(st.tuples(st.integers(0, 20), st.none() | st.integers(0, 20), st.integers(0, 100)), max_size=30))
def test_t6_a_decrease_never_waits_behind_an_increase(rows):
    items = [PushCandidate(f"S{i}", d, k, T0 + dt.timedelta(seconds=s)) for i, (d, k, s) in enumerate(rows)]
    order = [c.direction for c in push_order(items)]
    assert order == sorted(order)
