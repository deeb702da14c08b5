"""The move of the sync state and the address corrections into the channel app moves no data.

The models left ``workers`` and ``dashboard`` for ``channel`` keeping their tables: the
migrations change Django's state only. Shown two ways: ``sqlmigrate`` prints no SQL, and a
database populated before the move (on SQLite and on PostgreSQL) is migrated forward and
every row is read back through the new models.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission as CurrentPermission
from django.contrib.contenttypes.models import ContentType as CurrentContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from saleschannel.channel.models import (
    AddressCorrection,
    OrderFetchRequest,
    OrderRecheck,
    RateBucket,
    SyncCursor,
    SyncRun,
)

BEFORE = [
    ("channel", "0003_amazon_order_search_and_problem_indexes"),
    ("workers", "0003_fetch_claims"),
    ("dashboard", "0001_initial"),
]
MOVE = [
    ("channel", "0004_sync_state_and_address_corrections"),
    ("workers", "0004_sync_state_to_channel"),
    ("dashboard", "0002_address_correction_to_channel"),
]
MOVED = {"workers": ["ratebucket", "orderrecheck", "synccursor", "orderfetchrequest", "syncrun"],
         "dashboard": ["addresscorrection"]}
AT = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_migrations_print_no_sql(app, name):
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    statements = [line for line in out.getvalue().splitlines()
                  if line.strip() and not line.startswith("--") and line.strip() not in {"BEGIN;", "COMMIT;"}]
    assert statements == []


@pytest.mark.django_db(transaction=True)
def test_makemigrations_finds_nothing_to_write():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _migrate(targets):
    """Migrate the moved apps to ``targets`` (every other app at its latest); the apps of that state."""
    moved_apps = {app for app, _ in targets}
    nodes = [*targets, *(leaf for leaf in _leaves() if leaf[0] not in moved_apps)]
    executor = MigrationExecutor(connection)
    executor.migrate(nodes)
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_migrates_forward_and_keeps_every_row():
    old = _migrate(BEFORE)
    try:
        ContentType = old.get_model("contenttypes", "ContentType")
        Permission = old.get_model("auth", "Permission")
        # The database as it stood before the move: the content types name the old apps.
        for app, models in MOVED.items():
            for model in models:
                ContentType.objects.filter(app_label="channel", model=model).delete()
                ContentType.objects.get_or_create(app_label=app, model=model)
        syncrun_type = ContentType.objects.get(app_label="workers", model="syncrun")
        Permission.objects.get_or_create(content_type=syncrun_type, codename="view_syncrun",
                                         defaults={"name": "Can view sync run"})

        user = old.get_model("auth", "User").objects.create(username="merchant")
        account = old.get_model("channel", "Account").objects.create(
            name="US store", seller_id="S1", marketplace_id="ATVPDKIKX0DER", region="na", integrated_at=AT)
        order = old.get_model("channel", "AmazonOrder").objects.create(
            account=account, amazon_order_id="111-0000001-0000001", status="Unshipped",
            first_seen_at=AT, last_seen_at=AT)
        old.get_model("workers", "RateBucket").objects.create(
            seller_id="S1", operation="getOrders", rate=0.0167, burst=20, tokens=3.5, refilled_at=AT)
        old.get_model("workers", "SyncCursor").objects.create(account=account, watermark=AT, query_next_token="page-2")
        old.get_model("workers", "SyncRun").objects.create(account=account, started_at=AT, outcome="ok", fetched=7)
        old.get_model("workers", "OrderFetchRequest").objects.create(
            account=account, amazon_order_id="111-0000001-0000002", requested_at=AT, claimed_by="worker-1")
        old.get_model("workers", "OrderRecheck").objects.create(amazon_order=order, checked_at=AT)
        old.get_model("dashboard", "AddressCorrection").objects.create(
            amazon_order=order, user=user, corrected_at=AT, original={"City": "Old"}, corrected={"City": "New"})
    finally:
        _migrate(_leaves())

    assert RateBucket.objects.get(seller_id="S1", operation="getOrders").tokens == 3.5
    cursor = SyncCursor.objects.get()
    assert (cursor.watermark, cursor.query_next_token) == (AT, "page-2")
    assert SyncRun.objects.get().fetched == 7
    assert OrderFetchRequest.objects.get().claimed_by == "worker-1"
    assert OrderRecheck.objects.get().amazon_order.amazon_order_id == "111-0000001-0000001"
    correction = AddressCorrection.objects.get()
    assert (correction.user.username, correction.corrected) == ("merchant", {"City": "New"})
    # The content types followed the models, and the permissions with them.
    CurrentContentType.objects.clear_cache()
    for models in MOVED.values():
        for model in models:
            assert CurrentContentType.objects.filter(app_label="channel", model=model).count() == 1
    assert not CurrentContentType.objects.filter(app_label="dashboard", model="addresscorrection").exists()
    permission = CurrentPermission.objects.get(codename="view_syncrun")
    assert permission.content_type.app_label == "channel"
