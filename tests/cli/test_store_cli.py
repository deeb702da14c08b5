"""The "Store and catalog" commands of spec/cli.md, run in-process, plus the done-when line as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from saleschannel.cli import main
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.customers.services import customer_get_or_create
from saleschannel.commerce.inventory.models import SourceItem
from saleschannel.commerce.inventory.selectors import stock_for_store
from saleschannel.commerce.inventory.services import reservation_append
from saleschannel.commerce.sales.models import OrderStatus
from saleschannel.commerce.sales.services import ExternalRef, OrderLine, OrderTotals, order_create
from saleschannel.commerce.stores.models import Store
from saleschannel.commerce.stores.services import store_create

D = Decimal


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # PBKDF2's deliberate slowness is not under test here
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cli(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def refused(result, field: str, value: str) -> None:
    """Exit 2 with one line on stderr naming the field and the value, nothing on stdout."""
    code, out, err = result
    assert code == 2, (code, out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert field in err and value in err, err


@pytest.mark.django_db
def test_init_sets_up_the_store_prints_no_password_and_runs_again(cli):
    code, out, err = cli("init")
    assert code == 0 and err == ""
    assert "password" not in (out + err).lower()
    assert Store.objects.get(code="default").website.code == "base"
    assert cli("init")[0] == 0
    assert Store.objects.count() == 1


@pytest.mark.django_db
def test_commands_before_init_say_how_to_set_up(cli):
    code, _, err = cli("product", "add", "A-1", "--name", "Mug", "--price", "1")
    assert code == 1 and "saleschannel init" in err and not Product.objects.exists()


def test_store_list_and_add(cli, store_defaults):
    assert cli("store", "add", "de", "--name", "German")[:2] == (0, "de\n")
    code, out, _ = cli("store", "list", "--json")
    assert code == 0
    assert json.loads(out) == [{"code": "default", "name": "Default Store View", "website": "base"},
                               {"code": "de", "name": "German", "website": "base"}]


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["store", "add", "De", "--name", "X"], "code", "De"),
    (["store", "add", "default", "--name", "X"], "code", "default"),
    (["store", "add", "fr", "--name", " "], "name", "' '"),
])
def test_store_add_refuses_bad_input(cli, store_defaults, argv, field, value):
    refused(cli(*argv), field, value)
    assert Store.objects.count() == 1


def test_store_add_without_name_is_refused_by_argparse(cli, store_defaults):
    refused(cli("store", "add", "fr"), "--name", "")


def test_product_add_and_show(cli, store_defaults):
    assert cli("product", "add", "A-1", "--name", "Mug", "--price", "9.50", "--qty", "3")[0] == 0
    assert cli("product", "add", "G-1", "--name", "Gift", "--price", "0", "--no-manage-stock", "--disabled")[0] == 0
    code, out, _ = cli("product", "show", "A-1", "--json")
    assert code == 0
    assert json.loads(out) == {"sku": "A-1", "name": "Mug", "price": "9.50", "status": "enabled",
                               "manage_stock": True}
    assert json.loads(cli("product", "show", "G-1", "--json")[1]) == {
        "sku": "G-1", "name": "Gift", "price": "0.00", "status": "disabled", "manage_stock": False}


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["--price", "abc"], "price", "abc"),
    (["--price", "-1"], "price", "-1"),
    (["--price", "1e30"], "price", "1e30"),
    (["--price", "1", "--qty", "-3"], "qty", "-3"),
    (["--price", "1", "--qty", "x"], "qty", "x"),
])
def test_product_add_refuses_bad_numbers(cli, store_defaults, argv, field, value):
    refused(cli("product", "add", "A-1", "--name", "Mug", *argv), field, value)
    assert not Product.objects.exists() and not SourceItem.objects.exists()


def test_product_add_refuses_a_taken_sku_and_changes_nothing(cli, store_defaults):
    cli("product", "add", "A-1", "--name", "Mug", "--price", "1", "--qty", "2")
    refused(cli("product", "add", "A-1", "--name", "Cup", "--price", "2", "--qty", "9"), "sku", "A-1")
    assert Product.objects.get().name == "Mug"
    assert SourceItem.objects.get().quantity == 2


def test_product_show_refuses_an_unknown_sku(cli, store_defaults):
    refused(cli("product", "show", "NOPE", "--json"), "sku", "NOPE")


def test_stock_set_and_show_with_reservations(cli, store_defaults):
    cli("product", "add", "A-1", "--name", "Mug", "--price", "1", "--qty", "3")
    assert cli("stock", "set", "A-1", "7")[0] == 0
    reservation_append(stock=stock_for_store(store=store_defaults), lines=[("A-1", D(2))], event_type="order_placed",
                       object_type="order", object_id="42", event_key="e1")
    code, out, _ = cli("stock", "show", "A-1", "--json")
    assert code == 0
    assert json.loads(out) == {"sku": "A-1", "quantity": 7, "reserved": -2, "salable": 5, "manage_stock": True,
                               "reservations": [{"quantity": -2, "event": "order_placed", "object_id": "42"}]}
    store_create(code="de", name="DE")
    assert json.loads(cli("stock", "show", "A-1", "--store", "de", "--json")[1])["salable"] == 5


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["stock", "set", "A-1", "-1"], "quantity", "-1"),
    (["stock", "set", "A-1", "lots"], "quantity", "lots"),
    (["stock", "set", "A-1", "4", "--source", "nowhere"], "source", "nowhere"),
    (["stock", "set", "NOPE", "4"], "sku", "NOPE"),
    (["stock", "show", "NOPE", "--json"], "sku", "NOPE"),
    (["stock", "show", "A-1", "--store", "zz", "--json"], "store", "zz"),
])
def test_stock_commands_refuse_bad_input(cli, store_defaults, argv, field, value):
    cli("product", "add", "A-1", "--name", "Mug", "--price", "1", "--qty", "3")
    refused(cli(*argv), field, value)
    assert list(SourceItem.objects.values_list("sku", "quantity")) == [("A-1", 3)]


def test_status_add(cli, store_defaults):
    assert cli("status", "add", "picking", "--label", "Picking", "--state", "processing")[0] == 0
    status = OrderStatus.objects.get(code="picking")
    assert (status.label, status.state, status.is_default) == ("Picking", "processing", False)


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["status", "add", "x1", "--label", "X", "--state", "shipped"], "state", "shipped"),
    (["status", "add", "pending", "--label", "X", "--state", "new"], "code", "pending"),
    (["status", "add", "Bad Code", "--label", "X", "--state", "new"], "code", "Bad Code"),
])
def test_status_add_refuses_bad_input(cli, store_defaults, argv, field, value):
    count = OrderStatus.objects.count()
    refused(cli(*argv), field, value)
    assert OrderStatus.objects.count() == count


def test_user_add_prints_a_generated_password_that_logs_in(cli, store_defaults):
    code, out, _ = cli("user", "add", "alice")
    assert code == 0
    user = User.objects.get(username="alice")
    assert user.is_staff and not user.groups.exists()
    assert user.check_password(out.strip())


def test_user_add_manager_with_password_file(cli, store_defaults, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("s3cret-pass-for-bob\n")
    code, out, _ = cli("user", "add", "bob", "--manager", "--password-file", str(secret))
    assert (code, out) == (0, "")
    user = User.objects.get(username="bob")
    assert user.check_password("s3cret-pass-for-bob")
    assert list(user.groups.values_list("name", flat=True)) == ["managers"]


def test_user_add_refuses_bad_input(cli, store_defaults, tmp_path):
    cli("user", "add", "alice")
    refused(cli("user", "add", "alice"), "username", "alice")
    refused(cli("user", "add", "bad name!"), "username", "bad name!")
    empty = tmp_path / "empty"
    empty.write_text("\n")
    refused(cli("user", "add", "carol", "--password-file", str(empty)), "--password-file", str(empty))
    refused(cli("user", "add", "carol", "--password-file", str(tmp_path / "none")), "--password-file", "none")
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]


def test_orders_json(cli, store_defaults):
    customer, _ = customer_get_or_create(website=store_defaults.website, email="c@x.io", firstname="C",
                                         lastname="D")
    order_create(store=store_defaults, number="000000001", customer=customer, email="c@x.io", firstname="C",
                 lastname="D", currency="USD", totals=OrderTotals(grand_total=D("21.5")),
                 lines=[OrderLine(sku="A-1", name="Mug", qty=D(2), price=D("9.5"))],
                 external=ExternalRef(channel="amazon", account="main", external_id="112-1234567-1234567"))
    store_create(code="de", name="DE")
    order_create(store=Store.objects.get(code="de"), number="7", email="g@x.io", firstname="", lastname="",
                 currency="EUR", totals=OrderTotals(), lines=[OrderLine(sku="B", name="B", qty=D(1), price=D(0))])
    code, out, _ = cli("orders", "--store", "default", "--json")
    assert code == 0
    assert json.loads(out) == [{
        "number": "000000001", "store": "default", "state": "new", "status": "pending",
        "customer_email": "c@x.io", "customer_is_guest": False, "customer_id": customer.pk, "account": "main",
        "amazon_order_id": "112-1234567-1234567", "customer_firstname": "C", "customer_lastname": "D",
        "grand_total": "21.50",
        "totals": {"subtotal": "0.00", "shipping": "0.00", "gift_wrap": "0.00", "cod_fee": "0.00", "tax": "0.00",
                   "discount": "0.00", "delivery_tip": "0.00", "other": "0.00", "grand_total": "21.50"},
        "items": [{"sku": "A-1", "qty": 2, "price": "9.50"}],
    }]
    everything = json.loads(cli("orders", "--json")[1])
    assert [(o["store"], o["customer_is_guest"], o["account"]) for o in everything] == [
        ("default", False, "main"), ("de", True, None)]
    refused(cli("orders", "--store", "zz", "--json"), "store", "zz")


def test_customers_json(cli, store_defaults):
    customer, _ = customer_get_or_create(website=store_defaults.website, email="c@x.io", firstname="C",
                                         lastname="D")
    code, out, _ = cli("customers", "--json")
    assert code == 0
    assert json.loads(out) == [{"id": customer.pk, "email": "c@x.io", "firstname": "C", "lastname": "D",
                                "website": "base"}]


def test_done_when_line_from_a_shell(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["SALESCHANNEL_HOME"] = str(tmp_path)

    def sc(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "saleschannel", *argv], env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    assert sc("init").returncode == 0
    assert sc("product", "add", "A-1", "--name", "Mug", "--price", "9.50", "--qty", "3").returncode == 0
    shown = sc("stock", "show", "A-1", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["salable"] == 3
    assert (tmp_path / "saleschannel.sqlite3").exists()
