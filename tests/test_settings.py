from saleschannel.settings import database_from_url


def test_database_url_selects_postgresql():
    db = database_from_url("postgresql://u:p%40ss@db.example:5433/shop")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("shop", "u", "p@ss", "db.example", "5433")


def test_default_database_is_sqlite_in_wal_with_immediate_transactions():
    db = database_from_url(None)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_unknown_database_scheme_is_refused_by_name():
    import pytest

    with pytest.raises(ValueError, match="mysql"):
        database_from_url("mysql://x/y")
