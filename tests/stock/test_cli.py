"""``settings set`` and ``settings show`` with the stock settings (cli.md, T1, T15)."""

from __future__ import annotations

import json

import pytest

from saleschannel.channel.models import OrderSettings, SettingsChange
from saleschannel.channel.stock.models import StockSettings
from saleschannel.cli import main
from tests.channel.test_cli import CONNECT

pytestmark = pytest.mark.django_db


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def connected(store_defaults, capsys):
    code, out, _ = run(capsys, *CONNECT, "--json")
    assert code == 0
    return json.loads(out)


def test_t15_settings_set_enables_import_and_push_in_one_call(connected, capsys):
    code, out, err = run(capsys, "settings", "set", "main", "--import-orders", "enabled", "--push-stock", "enabled",
                         "--out-of-stock-threshold", "2", "--max-listed-quantity", "50", "--unmanaged-quantity", "10",
                         "--handling-time", "3", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert {k: shown[k] for k in ("import_orders", "push_stock", "out_of_stock_threshold", "max_listed_quantity",
                                  "unmanaged_quantity", "handling_time")} == {
        "import_orders": "enabled", "push_stock": "enabled", "out_of_stock_threshold": 2,
        "max_listed_quantity": 50, "unmanaged_quantity": 10, "handling_time": 3}
    code, out, _ = run(capsys, "settings", "set", "main", "--max-listed-quantity", "none", "--handling-time", "none",
                       "--json")
    assert code == 0 and json.loads(out)["max_listed_quantity"] is None and json.loads(out)["handling_time"] is None
    assert SettingsChange.objects.filter(field="push_stock", actor="command line").exists()


def test_t1_push_refused_while_import_is_disabled_exits_2_naming_the_field(connected, capsys):
    code, _, err = run(capsys, "settings", "set", "main", "--push-stock", "enabled")
    assert code == 2 and "push_stock" in err and len(err.strip().splitlines()) == 1
    assert not StockSettings.objects.filter(push_stock="enabled").exists()


@pytest.mark.parametrize(("argv", "field"), [
    (["--out-of-stock-threshold", "-1"], "out_of_stock_threshold"),
    (["--max-listed-quantity", "0"], "max_listed_quantity"),
    (["--unmanaged-quantity", "lots"], "unmanaged_quantity"),
    (["--handling-time", "45"], "handling_time"),
])
def test_t1_a_refused_stock_value_changes_nothing_not_even_the_order_settings(connected, capsys, argv, field):
    code, _, err = run(capsys, "settings", "set", "main", "--import-orders", "enabled", *argv)
    assert code == 2 and field in err
    assert OrderSettings.objects.get().import_orders == "disabled"
    assert not SettingsChange.objects.exists()
