"""Order settings: values, defaults, validation and history (R1, R2, R3, R5, C2)."""

from __future__ import annotations

import datetime as dt

import pytest

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import ImportPeriod, OrderSettings, SettingsChange
from saleschannel.channel.services.settings import (
    order_settings_as_dict,
    order_settings_get,
    order_settings_update,
)
from tests.channel.factories import T0

pytestmark = pytest.mark.django_db


def _snapshot(account):
    return order_settings_as_dict(order_settings_get(account=account))


def test_settings_defaults_are_the_sources_and_the_default_store(account):
    assert _snapshot(account) == {
        "import_orders": "disabled", "store": "default", "customer_creation": "guest",
        "order_number_source": "store", "pending_orders": "no_reserve", "order_status": "default",
        "processing_order_status": None,
    }


def test_r1_c2_other_fields_cannot_change_while_import_stays_disabled(account):
    before = _snapshot(account)
    with pytest.raises(SettingsInvalid) as refused:
        order_settings_update(account=account, changes={"customer_creation": "new_account"})
    assert refused.value.field == "customer_creation"
    assert "while import is disabled" in refused.value.message
    assert _snapshot(account) == before
    assert not SettingsChange.objects.exists()


def test_r1_c2_other_fields_change_in_the_call_that_enables_import(account):
    order_settings_update(account=account, changes={"import_orders": "enabled", "customer_creation": "new_account",
                                                    "order_number_source": "amazon", "pending_orders": "reserve"})
    after = _snapshot(account)
    assert after["import_orders"] == "enabled"
    assert after["customer_creation"] == "new_account"
    assert after["order_number_source"] == "amazon"
    assert after["pending_orders"] == "reserve"


def test_r1_disabling_keeps_the_other_values(account, enable):
    enable(customer_creation="new_account")
    order_settings_update(account=account, changes={"import_orders": "disabled"})
    assert _snapshot(account)["customer_creation"] == "new_account"


def test_r1_setting_an_unchanged_value_while_disabled_is_no_change(account):
    order_settings_update(account=account, changes={"customer_creation": "guest"})
    assert not SettingsChange.objects.exists()


def test_r2_enabled_import_requires_a_store(account):
    OrderSettings.objects.filter(account=account).update(store=None)
    with pytest.raises(SettingsInvalid) as refused:
        order_settings_update(account=account, changes={"import_orders": "enabled"})
    assert refused.value.field == "store"
    assert _snapshot(account)["import_orders"] == "disabled"


def test_r2_custom_order_status_requires_an_existing_processing_status(account):
    before = _snapshot(account)
    with pytest.raises(SettingsInvalid) as missing:
        order_settings_update(account=account, changes={"import_orders": "enabled", "order_status": "custom"})
    with pytest.raises(SettingsInvalid) as unknown:
        order_settings_update(account=account, changes={"import_orders": "enabled", "order_status": "custom",
                                                        "processing_order_status": "no_such_status"})
    assert missing.value.field == unknown.value.field == "processing_order_status"
    assert "no_such_status" in unknown.value.message
    assert _snapshot(account) == before


def test_r2_processing_status_must_belong_to_new_or_processing(account):
    with pytest.raises(SettingsInvalid) as refused:
        order_settings_update(account=account, changes={"import_orders": "enabled", "order_status": "custom",
                                                        "processing_order_status": "complete"})
    assert "state complete" in refused.value.message


@pytest.mark.parametrize(("field", "value"), [
    ("import_orders", "maybe"), ("customer_creation", "everyone"), ("order_number_source", "random"),
    ("pending_orders", "sometimes"), ("order_status", "fancy"), ("store", "no-such-store"), ("colour", "red"),
])
def test_r2_refused_value_names_the_field_and_changes_nothing(account, field, value):
    before = _snapshot(account)
    with pytest.raises(SettingsInvalid) as refused:
        order_settings_update(account=account, changes={"import_orders": "enabled", field: value})
    assert refused.value.field == field
    assert _snapshot(account) == before
    assert not ImportPeriod.objects.exists()


def test_r2_a_custom_status_with_an_existing_processing_status_is_saved(account):
    from saleschannel.commerce.sales.services import order_status_create

    order_status_create(code="amazon_new", label="Amazon new", state="processing")
    order_settings_update(account=account, changes={"import_orders": "enabled", "order_status": "custom",
                                                    "processing_order_status": "amazon_new"})
    assert _snapshot(account)["processing_order_status"] == "amazon_new"


def test_r3_each_change_is_recorded_with_who_when_old_and_new(account):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("manager")
    when = T0 + dt.timedelta(hours=3)
    order_settings_update(account=account, changes={"import_orders": "enabled", "pending_orders": "reserve"},
                          user=user, now=when)
    changes = {c.field: c for c in SettingsChange.objects.filter(account=account)}
    assert set(changes) == {"import_orders", "pending_orders"}
    assert (changes["import_orders"].old_value, changes["import_orders"].new_value) == ("disabled", "enabled")
    assert changes["pending_orders"].user == user
    assert changes["pending_orders"].actor == "manager"
    assert changes["pending_orders"].changed_at == when


def test_r3_import_enabled_at_is_the_last_time_import_became_enabled(account):
    first, second = T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=5)
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=first)
    order_settings_update(account=account, changes={"import_orders": "disabled"}, now=first + dt.timedelta(hours=1))
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=second)
    assert order_settings_get(account=account).import_enabled_at == second
    periods = list(ImportPeriod.objects.filter(account=account).values_list("started_at", "ended_at"))
    assert periods == [(first, first + dt.timedelta(hours=1)), (second, None)]
