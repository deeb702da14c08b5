"""Stock Settings (T1): validation that names the field and changes nothing, the T1 guard, R3 records."""

from __future__ import annotations

import pytest

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import SettingsChange
from saleschannel.channel.services.settings import order_settings_update
from saleschannel.channel.stock.selectors import push_state
from saleschannel.channel.stock.services import (
    stock_settings_as_dict,
    stock_settings_get,
    stock_settings_update,
)
from tests.channel.factories import T0

pytestmark = pytest.mark.django_db


def test_t1_defaults(account):
    assert stock_settings_as_dict(stock_settings_get(account=account)) == {
        "push_stock": "disabled", "out_of_stock_threshold": 0, "max_listed_quantity": None,
        "unmanaged_quantity": 100, "handling_time": None,
    }


def test_t1_push_cannot_be_enabled_while_import_is_disabled(account):
    with pytest.raises(SettingsInvalid) as refused:
        stock_settings_update(account=account, changes={"push_stock": "enabled"})
    assert refused.value.field == "push_stock"
    assert stock_settings_get(account=account).push_stock == "disabled"


def test_t1_push_can_be_enabled_with_import_enabled(enabled_account):
    saved = stock_settings_update(account=enabled_account, changes={"push_stock": "enabled"})
    assert saved.push_enabled
    assert push_state(account=enabled_account).active


def test_t1_disabling_import_pauses_the_push_and_says_so(enabled_account):
    stock_settings_update(account=enabled_account, changes={"push_stock": "enabled"})
    order_settings_update(account=enabled_account, changes={"import_orders": "disabled"})
    state = push_state(account=enabled_account)
    assert not state.active and "Import Amazon Orders is disabled" in state.reason
    assert stock_settings_get(account=enabled_account).push_enabled  # paused, not switched off


def test_t16_the_installation_pause(enabled_account, monkeypatch):
    stock_settings_update(account=enabled_account, changes={"push_stock": "enabled"})
    monkeypatch.setenv("SALESCHANNEL_PUSH_PAUSED", "1")
    assert not push_state(account=enabled_account).active


@pytest.mark.parametrize(("field", "value"), [
    ("out_of_stock_threshold", -1), ("out_of_stock_threshold", "1.5"), ("out_of_stock_threshold", ""),
    ("out_of_stock_threshold", None), ("out_of_stock_threshold", 10**12), ("out_of_stock_threshold", True),
    ("out_of_stock_threshold", 2.5), ("out_of_stock_threshold", "ten"),
    ("max_listed_quantity", 0), ("max_listed_quantity", "-3"), ("max_listed_quantity", "9" * 40),
    ("unmanaged_quantity", -5), ("unmanaged_quantity", ""), ("unmanaged_quantity", "1e3"),
    ("handling_time", 0), ("handling_time", 31), ("handling_time", "2 days"),
    ("push_stock", "on"), ("push_stock", ""), ("colour", "blue"),
])
def test_t1_refused_value_names_the_field_and_changes_nothing(account, field, value):
    before = stock_settings_as_dict(stock_settings_get(account=account))
    with pytest.raises(SettingsInvalid) as refused:
        stock_settings_update(account=account, changes={"out_of_stock_threshold": 3, field: value})
    assert refused.value.field == field
    assert stock_settings_as_dict(stock_settings_get(account=account)) == before
    assert not SettingsChange.objects.filter(account=account).exists()


def test_t1_numbers_from_text_and_empties(account):
    saved = stock_settings_update(account=account, changes={
        "out_of_stock_threshold": "2", "max_listed_quantity": "50", "unmanaged_quantity": 7, "handling_time": "3"})
    assert stock_settings_as_dict(saved)["max_listed_quantity"] == 50
    saved = stock_settings_update(account=account, changes={"max_listed_quantity": "none", "handling_time": ""})
    assert saved.max_listed_quantity is None and saved.handling_time is None


def test_t1_r3_each_change_is_recorded_with_who_when_old_and_new(enabled_account):
    SettingsChange.objects.all().delete()
    stock_settings_update(account=enabled_account, changes={"push_stock": "enabled", "max_listed_quantity": 20,
                                                             "out_of_stock_threshold": 0},
                          actor="command line", now=T0)
    rows = {c.field: (c.old_value, c.new_value, c.actor, c.changed_at)
            for c in SettingsChange.objects.filter(account=enabled_account)}
    assert rows == {
        "push_stock": ("disabled", "enabled", "command line", T0),
        "max_listed_quantity": ("", "20", "command line", T0),
    }
