"""Tokens used to be DRF's authtoken rows, keys in plain text. Drop that table, keys and all:
a backup taken from now on holds none. Users get new tokens from `saleschannel api-token`."""

from django.db import migrations


def drop_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name('authtoken_token')}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop)]
