"""The "Amazon accounts" commands of spec/cli.md, in-process."""

from __future__ import annotations

import json

import pytest

from saleschannel.channel.models import Account, AmazonOrder, OrderSettings, SettingsChange
from saleschannel.cli import main
from tests.channel.factories import amazon_order

pytestmark = pytest.mark.django_db

CONNECT = ["account", "connect", "main", "--seller-id", "A1SELLER", "--marketplace", "ATVPDKIKX0DER",
           "--region", "na", "--client-id", "cid", "--client-secret", "csecret", "--refresh-token", "Atzr|tok"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def connected(store_defaults, capsys):
    code, out, _ = run(capsys, *CONNECT, "--json")
    assert code == 0
    # The factory's orders are placed in November 2026: integrate before them.
    from tests.channel.factories import T0

    Account.objects.update(integrated_at=T0)
    return json.loads(out)


def test_account_connect_prints_id_name_and_integrated_at(connected):
    assert connected["name"] == "main"
    assert connected["integrated_at"].endswith("Z")
    assert Account.objects.get().pk == connected["id"]


def test_account_connect_reads_secrets_from_files(store_defaults, capsys, tmp_path):
    secret, token = tmp_path / "secret", tmp_path / "token"
    secret.write_text("file-secret\n")
    token.write_text("Atzr|file-token\n")
    argv = [a for a in CONNECT if a not in ("--client-secret", "csecret", "--refresh-token", "Atzr|tok")]
    code, _, err = run(capsys, *argv, "--client-secret-file", str(secret), "--refresh-token-file", str(token))
    assert code == 0, err
    account = Account.objects.get()
    assert (account.client_secret, account.refresh_token) == ("file-secret", "Atzr|file-token")


def test_account_connect_refuses_a_secret_without_echoing_it(store_defaults, capsys):
    argv = [*CONNECT[:-1], "Atzr|bad token"]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and "refresh_token" in err
    assert "bad token" not in err and "bad token" not in out
    assert not Account.objects.exists()


def test_account_connect_refuses_a_bad_region_naming_it(store_defaults, capsys):
    argv = [*CONNECT]
    argv[argv.index("na")] = "mars"
    code, _, err = run(capsys, *argv)
    assert code == 2 and "--region" in err and "mars" in err
    assert not Account.objects.exists()


def test_settings_show_json(connected, capsys):
    code, out, _ = run(capsys, "settings", "show", "main", "--json")
    assert code == 0
    assert json.loads(out) == {
        "import_orders": "disabled", "store": "default", "customer_creation": "guest",
        "order_number_source": "store", "pending_orders": "no_reserve", "order_status": "default",
        "processing_order_status": None,
        # stock-to-amazon.md T1, cli.md: the stock settings, null where empty.
        "push_stock": "disabled", "out_of_stock_threshold": 0, "max_listed_quantity": None,
        "unmanaged_quantity": 100, "handling_time": None,
    }


def test_settings_set_changes_values_by_account_id(connected, capsys):
    code, _, err = run(capsys, "settings", "set", str(connected["id"]), "--import-orders", "enabled",
                       "--customer-creation", "new_account", "--order-number-source", "amazon",
                       "--pending-orders", "reserve")
    assert code == 0, err
    settings = OrderSettings.objects.get()
    assert (settings.import_orders, settings.customer_creation, settings.order_number_source,
            settings.pending_orders) == ("enabled", "new_account", "amazon", "reserve")
    assert SettingsChange.objects.filter(actor="command line").count() == 4


@pytest.mark.parametrize(("argv", "field"), [
    (["--customer-creation", "new_account"], "customer_creation"),  # R1: import stays disabled
    (["--import-orders", "enabled", "--store", "nowhere"], "store"),
    (["--import-orders", "enabled", "--order-status", "custom"], "processing_order_status"),
    (["--import-orders", "enabled", "--order-status", "custom", "--processing-status", "nope"],
     "processing_order_status"),
    (["--import-orders", "sometimes"], "--import-orders"),
])
def test_settings_set_refused_input_exits_2_with_one_line_and_changes_nothing(connected, capsys, argv, field):
    code, _, err = run(capsys, "settings", "set", "main", *argv)
    assert code == 2
    assert err.count("\n") == 1 and field in err
    settings = OrderSettings.objects.get()
    assert settings.import_orders == "disabled" and settings.customer_creation == "guest"
    assert not SettingsChange.objects.exists()


def test_unknown_account_exits_2_naming_it(store_defaults, capsys):
    code, _, err = run(capsys, "settings", "show", "nobody", "--json")
    assert code == 2 and "nobody" in err


def test_amazon_orders_lists_each_order_with_its_import_state(connected, capsys):
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from tests.channel.factories import T0

    account = Account.objects.get()
    stored, _ = amazon_order_record(account=account, order=amazon_order(channel="FBA"), seen_at=T0)
    amazon_order_evaluate(amazon_order=stored)
    code, out, _ = run(capsys, "amazon-orders", "main", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row == {"amazon_order_id": stored.amazon_order_id, "status": "Unshipped", "channel": "FBA",
                   "purchase_date": "2026-11-02T12:00:00Z", "import_state": "not_importable",
                   "store_order_number": None, "reason": "not imported: import disabled"}


def test_import_by_hand_prints_the_store_order_number(connected, capsys):
    from saleschannel.channel.services.imports.importer import amazon_order_record
    from tests.channel.factories import T0

    account = Account.objects.get()
    stored, _ = amazon_order_record(account=account, order=amazon_order(), seen_at=T0)
    code, _, err = run(capsys, "import", "main", stored.amazon_order_id)
    assert code == 1 and "import disabled" in err  # C2
    code, _, err = run(capsys, "settings", "set", "main", "--import-orders", "enabled")
    assert code == 0, err
    code, out, _ = run(capsys, "import", "main", stored.amazon_order_id)
    assert code == 0 and out.strip() == "000000001"
    code, out, _ = run(capsys, "import", "main", stored.amazon_order_id)  # already imported
    assert code == 0 and out.strip() == "000000001"
    assert AmazonOrder.objects.get().import_state == "imported"


def test_import_by_hand_exits_1_with_the_reason_when_the_order_must_wait(connected, capsys):
    from saleschannel.channel.services.imports.importer import amazon_order_record
    from tests.channel.factories import T0

    account = Account.objects.get()
    run(capsys, "settings", "set", "main", "--import-orders", "enabled")
    stored, _ = amazon_order_record(account=account, order=amazon_order(channel="FBA", status="Unshipped"), seen_at=T0)
    code, _, err = run(capsys, "import", "main", stored.amazon_order_id)
    assert code == 1 and "FBA: waiting for Shipped" in err


def test_import_of_an_unknown_amazon_order_exits_2(connected, capsys):
    code, _, err = run(capsys, "import", "main", "999-0000000-0000000")
    assert code == 2 and "999-0000000-0000000" in err


def test_amazon_orders_lists_newest_purchase_first_and_filters_by_state(connected, capsys):
    import datetime as dt

    from saleschannel.channel.selectors import cannot_import_filter
    from saleschannel.channel.services.imports.importer import amazon_order_evaluate, amazon_order_record
    from saleschannel.channel.services.settings import order_settings_update
    from tests.channel.factories import T0

    account = Account.objects.get()
    order_settings_update(account=account, changes={"import_orders": "enabled"}, now=T0)
    for day in (1, 3, 2):
        stored, _ = amazon_order_record(account=account, order=amazon_order(
            created=T0 + dt.timedelta(days=day), currency="XYZ" if day == 3 else "USD"), seen_at=T0)
        amazon_order_evaluate(amazon_order=stored)
    code, out, _ = run(capsys, "amazon-orders", "main", "--json")
    dates = [row["purchase_date"][:10] for row in json.loads(out)]
    assert dates == ["2026-11-04", "2026-11-03", "2026-11-02"]
    code, out, _ = run(capsys, "amazon-orders", "main", "--state", "error", "--json")
    assert [row["purchase_date"][:10] for row in json.loads(out)] == ["2026-11-04"]
    assert AmazonOrder.objects.filter(cannot_import_filter(), account=account).count() == 1
    code, _, err = run(capsys, "amazon-orders", "main", "--limit", "0")
    assert code == 2 and "--limit" in err


def test_c41_account_disconnect_forgets_the_credentials_and_keeps_the_orders(connected, capsys):
    from saleschannel.channel.services.imports.importer import amazon_order_record
    from tests.channel.factories import T0

    account = Account.objects.get()
    amazon_order_record(account=account, order=amazon_order(), seen_at=T0)

    code, out, err = run(capsys, "account", "disconnect", "main", "--json")

    assert code == 0, err
    assert json.loads(out) == {"id": account.pk, "name": "main", "credentials": "needs_reconnecting"}
    account.refresh_from_db()
    assert account.credentials_state == "needs_reconnecting" and not account.refresh_token_encrypted
    assert AmazonOrder.objects.filter(account=account).count() == 1
    code, _, err = run(capsys, *CONNECT, "--json")  # connecting again clears it
    assert code == 0, err
    account.refresh_from_db()
    assert account.credentials_state == "ok"


@pytest.mark.parametrize("hostile", ["no\nbody", "no\rbody", "no\x1b[2Jbody", "no\u2028body", "no\x85body",
                                     "no\u202ebody"])
def test_c41_refusals_quote_a_refused_value_with_control_and_line_breaks_escaped(store_defaults, capsys, hostile):
    code, out, err = run(capsys, "account", "disconnect", hostile)
    assert code == 2 and out == ""
    line = err.rstrip("\n")
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\u2028" not in line
    assert "\x85" not in line and "\u202e" not in line
    escaped = hostile.encode("unicode_escape").decode("ascii")
    assert escaped in line
