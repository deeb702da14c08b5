"""The sandbox's --pace: orders move through the same statuses, that many times sooner."""

import datetime as dt

import pytest

from saleschannel.cli import main
from saleschannel.spapi.sandbox.generator import OrderGenerator

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def test_pace_divides_every_status_delay_and_keeps_the_statuses():
    slow, fast = OrderGenerator(7), OrderGenerator(7, pace=10)
    for _ in range(20):
        (_, slow_plan), (_, fast_plan) = slow.next_order(NOW), fast.next_order(NOW)
        assert [s for _, s in fast_plan.events] == [s for _, s in slow_plan.events]
        assert [t for t, _ in fast_plan.events] == pytest.approx([t / 10 for t, _ in slow_plan.events])


def test_pace_must_be_above_zero():
    with pytest.raises(ValueError, match="pace"):
        OrderGenerator(7, pace=0)


def test_serve_refuses_a_pace_of_zero(capsys):
    assert main(["sandbox", "serve", "--port", "9", "--pace", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--pace" in err[0]
