"""``listings ACCOUNT [--state STATE] --json`` (cli.md, T14, T15)."""

from __future__ import annotations

import json

import pytest

from saleschannel.channel.stock.models import StockPush
from saleschannel.channel.stock.selectors import push_plan
from saleschannel.channel.stock.services import offer_push_record
from saleschannel.cli import main
from saleschannel.commerce.inventory.services import source_item_set
from tests.channel.conftest import make_product
from tests.channel.factories import T0

pytestmark = pytest.mark.django_db


def listings(capsys, *argv):
    code = main(["listings", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_t14_listings_json_shows_offers_and_store_skus(pushing_account, offer_of, capsys):
    make_product("MUG", qty=7)
    make_product("LONELY", qty=1)
    make_product("FBA-ONLY", qty=3)
    offer_of("MUG", 3)
    offer_of("FBA-ONLY", AMAZON_NA=4)
    offer_of("STRANGER", 2)
    for push in push_plan(account=pushing_account).pushes:
        offer_push_record(account=pushing_account, push=push, method="patch", outcome="accepted", now=T0)
    source_item_set(source=None, sku="MUG", quantity=5)
    code, out, err = listings(capsys, pushing_account.name, "--json")
    assert code == 0, err
    rows = {row["sku"]: row for row in json.loads(out)}
    assert rows["MUG"] == {"sku": "MUG", "marketplace_id": "ATVPDKIKX0DER", "channel": "MFN", "state": "due",
                           "amazon_quantity": 3, "desired_quantity": 5, "last_pushed_quantity": 7,
                           "reason": "listing discovered"}
    assert (rows["FBA-ONLY"]["channel"], rows["FBA-ONLY"]["state"]) == ("AFN", "fba")
    assert (rows["LONELY"]["channel"], rows["LONELY"]["state"]) == (None, "not_on_amazon")
    assert rows["STRANGER"]["state"] == "not_in_store"
    code, out, _ = listings(capsys, pushing_account.name, "--state", "fba", "--json")
    assert [row["sku"] for row in json.loads(out)] == ["FBA-ONLY"]


def test_t15_listings_of_an_unknown_account_exits_2(pushing_account, capsys):
    code, _, err = listings(capsys, "nobody", "--json")
    assert code == 2 and "nobody" in err


def push(capsys, *argv):
    code = main(["push", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_t10_push_preview_prints_what_would_be_sent_and_sends_nothing(pushing_account, offer_of, capsys):
    make_product("UP", qty=9)
    make_product("ZERO", qty=0)
    offer_of("UP", 5)
    offer_of("ZERO", 5)
    code, out, err = push(capsys, pushing_account.name, "--once", "--preview", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["pushed"], data["api_calls"], data["active"]) == (0, 0, True)
    assert [(r["sku"], r["quantity"], r["direction"]) for r in data["would_push"]] == [
        ("ZERO", 0, "to_zero"), ("UP", 9, "increase")]
    assert data["would_push"][1]["body"]["patches"][0]["op"] == "merge"
    assert not StockPush.objects.exists()
