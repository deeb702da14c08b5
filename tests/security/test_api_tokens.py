"""API tokens are kept as digests: a copy of the database opens nothing; a revoked token is
refused at once; each token is listed with its last use and never shown again."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from saleschannel.api.models import ApiToken
from saleschannel.cli import main
from tests.dashboard import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts"


def get(key: str) -> int:
    return Client().get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code


def new_key(capsys, username: str) -> str:
    assert main(["api-token", username]) == 0
    return capsys.readouterr().out.strip()


def database_copy() -> str:
    """Every row of every table, as a dump of the database would hold it."""
    rows = []
    for model in apps.get_models():
        rows.extend(repr(row) for row in model.objects.values_list())
    return "\n".join(rows)


def test_a_copy_of_the_database_holds_no_usable_token(capsys, settings, fast_passwords, store_defaults):
    settings.AXES_FAILURE_LIMIT = 100  # the guesses below are refused as keys, not by the lockout
    factories.user_make("maria", manager=True)
    keys = [new_key(capsys, "maria") for _ in range(3)]
    assert all(get(key) == 200 for key in keys)
    dump = database_copy()
    for key in keys:
        secret = key.partition(".")[2]
        assert key not in dump and secret not in dump
    assert "authtoken_token" not in connection.introspection.table_names()
    # What the copy does hold, tried as keys: nothing opens.
    for token in ApiToken.objects.all():
        for guess in (token.digest, f"{token.prefix}.{token.digest}", token.prefix):
            assert get(guess) == 401


def test_the_upgrade_drops_the_plain_text_tokens(transactional_db):
    """Databases from before kept DRF's authtoken rows in plain text: the migration drops them."""
    import importlib

    from django.db.migrations.state import ProjectState

    drop = importlib.import_module("saleschannel.api.migrations.0002_drop_plain_tokens").drop_plain_tokens
    with connection.schema_editor() as editor:
        editor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        editor.execute("INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', 1)")
    assert "authtoken_token" in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        drop(ProjectState().apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()


def test_a_revoked_token_gets_401_at_once_and_the_others_still_work(capsys, fast_passwords, store_defaults):
    factories.user_make("maria", manager=True)
    kept, revoked = new_key(capsys, "maria"), new_key(capsys, "maria")
    client = Client()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {revoked}").status_code == 200
    assert main(["api-token", "maria", "--revoke", revoked.split(".")[0]]) == 0
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {revoked}").status_code == 401
    assert get(kept) == 200
    assert main(["api-token", "maria", "--revoke", "nosuchtk"]) == 2


def test_the_admin_lists_tokens_with_their_last_use_and_revokes_them(capsys, fast_passwords, store_defaults):
    root = factories.user_make("root", manager=True)
    root.is_superuser = True
    root.save()
    key = new_key(capsys, "root")
    assert get(key) == 200
    admin = Client()
    admin.force_login(root)
    listing = admin.get("/admin/api/apitoken/")
    token = ApiToken.objects.get()
    assert listing.status_code == 200 and token.prefix.encode() in listing.content
    assert token.last_used_at is not None and token.digest.encode() not in listing.content
    assert admin.get(f"/admin/api/apitoken/{token.pk}/change/").content.count(token.digest.encode()) == 0
    assert admin.get("/admin/api/apitoken/add/").status_code == 403  # keys are made by the CLI, shown once
    response = admin.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert get(key) == 401


def test_api_token_list_shows_the_last_use_and_never_a_key(capsys, fast_passwords, store_defaults):
    factories.user_make("maria", manager=True)
    used, unused = new_key(capsys, "maria"), new_key(capsys, "maria")
    assert get(used) == 200
    assert main(["api-token", "maria", "--list"]) == 0
    out = capsys.readouterr().out
    rows = {row["prefix"]: row for row in json.loads(out)}
    assert rows[used.split(".")[0]]["last_used"] is not None
    assert rows[unused.split(".")[0]]["last_used"] is None
    assert used not in out and unused not in out


def test_an_inactive_users_token_is_refused(capsys, fast_passwords, store_defaults):
    user = factories.user_make("maria", manager=True)
    key = new_key(capsys, "maria")
    user.is_active = False
    user.save()
    assert get(key) == 401
