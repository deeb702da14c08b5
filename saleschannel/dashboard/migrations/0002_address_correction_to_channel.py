"""The models move to the channel app (``channel.0004``), their tables stay: state only, no SQL."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0001_initial'),
        ('channel', '0004_sync_state_and_address_corrections'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='AddressCorrection'),
            ],
        ),
    ]
