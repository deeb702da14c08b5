"""The sync engine's state and the address corrections join the channel app, keeping their tables.

State only: ``SeparateDatabaseAndState`` with no database operation, so no table is
dropped, created or renamed (``sqlmigrate`` prints no SQL). The content types are renamed
so that permissions and admin log entries follow the models. Hand-written: never let
``makemigrations`` write a move like this one, it would drop and recreate the tables.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = {
    "workers": ["ratebucket", "orderrecheck", "synccursor", "orderfetchrequest", "syncrun"],
    "dashboard": ["addresscorrection"],
}


def rename_content_types(apps, schema_editor, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old_app, model_names in MOVED.items():
        source, target = (old_app, "channel") if forward else ("channel", old_app)
        for model in model_names:
            if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
                continue  # already there (created by a post_migrate signal): leave both alone
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def rename_content_types_back(apps, schema_editor):
    rename_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("channel", "0003_amazon_order_search_and_problem_indexes"),
        ("workers", "0003_fetch_claims"),
        ("dashboard", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='RateBucket',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seller_id', models.CharField(max_length=64)),
                        ('operation', models.CharField(max_length=64)),
                        ('rate', models.FloatField(help_text='tokens earned per second')),
                        ('burst', models.FloatField(help_text='most tokens the bucket holds')),
                        ('tokens', models.FloatField()),
                        ('refilled_at', models.DateTimeField(help_text='the instant `tokens` was computed for')),
                        ('rate_from_amazon', models.BooleanField(default=False, help_text="the rate came from Amazon's x-amzn-RateLimit-Limit header")),
                    ],
                    options={
                        'db_table': 'workers_ratebucket',
                        'constraints': [models.UniqueConstraint(fields=('seller_id', 'operation'), name='workers_ratebucket_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='OrderRecheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('checked_at', models.DateTimeField()),
                        ('amazon_order', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='recheck', to='channel.amazonorder')),
                    ],
                    options={
                        'db_table': 'workers_orderrecheck',
                    },
                ),
                migrations.CreateModel(
                    name='SyncCursor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('watermark', models.DateTimeField(blank=True, null=True)),
                        ('query_after', models.DateTimeField(blank=True, null=True)),
                        ('query_next_token', models.TextField(blank=True, default='')),
                        ('query_before', models.DateTimeField(blank=True, null=True)),
                        ('sweep_kind', models.CharField(blank=True, default='', max_length=8)),
                        ('sweep_after', models.DateTimeField(blank=True, null=True)),
                        ('sweep_next_token', models.TextField(blank=True, default='')),
                        ('hourly_sweep_done_at', models.DateTimeField(blank=True, null=True)),
                        ('daily_sweep_done_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sync_cursor', to='channel.account')),
                    ],
                    options={
                        'db_table': 'workers_synccursor',
                    },
                ),
                migrations.CreateModel(
                    name='OrderFetchRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amazon_order_id', models.CharField(max_length=64)),
                        ('requested_at', models.DateTimeField()),
                        ('notification_id', models.CharField(blank=True, default='', max_length=100)),
                        ('event_time', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('not_before', models.DateTimeField(blank=True, help_text='retry after a failure, not sooner', null=True)),
                        ('claimed_by', models.CharField(blank=True, default='', max_length=200)),
                        ('claimed_until', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True, default='')),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fetch_requests', to='channel.account')),
                    ],
                    options={
                        'db_table': 'workers_orderfetchrequest',
                        'indexes': [models.Index(fields=['done_at', 'requested_at'], name='workers_fetch_pending')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('done_at__isnull', True)), fields=('account', 'amazon_order_id'), name='workers_fetch_one_pending')],
                    },
                ),
                migrations.CreateModel(
                    name='SyncRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('sync', 'Sync'), ('backfill', 'Backfill')], default='sync', max_length=8)),
                        ('started_at', models.DateTimeField()),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome', models.CharField(choices=[('running', 'Running'), ('ok', 'Completed'), ('partial', 'Paused for the rate limit'), ('failed', 'Failed')], default='running', max_length=8)),
                        ('pages', models.PositiveIntegerField(default=0)),
                        ('fetched', models.PositiveIntegerField(default=0)),
                        ('created', models.PositiveIntegerField(default=0)),
                        ('waiting', models.PositiveIntegerField(default=0)),
                        ('errors', models.PositiveIntegerField(default=0)),
                        ('api_calls', models.PositiveIntegerField(default=0)),
                        ('api_calls_by_operation', models.JSONField(default=dict)),
                        ('throttled', models.PositiveIntegerField(default=0)),
                        ('waited_seconds', models.FloatField(default=0.0)),
                        ('watermark', models.DateTimeField(blank=True, help_text='the watermark when the cycle ended', null=True)),
                        ('error', models.TextField(blank=True, default='')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sync_runs', to='channel.account')),
                    ],
                    options={
                        'db_table': 'workers_syncrun',
                        'ordering': ['-started_at', '-pk'],
                        'indexes': [models.Index(fields=['account', '-started_at'], name='workers_syncrun_account')],
                    },
                ),
                migrations.CreateModel(
                    name='AddressCorrection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('corrected_at', models.DateTimeField()),
                        ('original', models.JSONField(default=dict)),
                        ('corrected', models.JSONField(default=dict)),
                        ('amazon_order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='address_corrections', to='channel.amazonorder')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'dashboard_addresscorrection',
                        'ordering': ['-corrected_at', '-pk'],
                    },
                ),
            ],
        ),
        migrations.RunPython(rename_content_types, rename_content_types_back, elidable=False),
    ]
