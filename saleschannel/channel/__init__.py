"""The Amazon sales channel: accounts, order settings, Amazon orders and the import rules.

What other parts call (names stay; see each module's docstring for details):

- ``channel.rules`` (pure): ``order_decide(*, order, settings, account, stock, state, manual=False)
  -> Decision``; ``CREATION_MATRIX``, the source's table row for row.
- ``channel.services.accounts``: ``account_connect``, ``account_get``, ``account_credentials_state_set``,
  ``application_credentials``.
- ``channel.services.settings``: ``order_settings_get``, ``order_settings_as_dict``,
  ``order_settings_update(*, account, changes, user=None, actor="", now=None)`` raising
  ``SettingsInvalid(field, message)``.
- ``channel.services.imports`` (a package): ``recording.amazon_order_record``,
  ``importer.amazon_order_evaluate``, ``waiting_orders_evaluate``, ``errored_orders_retry``,
  ``amazon_order_import_by_hand``, ``ImportOutcome``; stock rising wakes waiting orders
  through the store core's ``salable_increased`` signal (connected in ``ChannelConfig.ready``).
- ``channel.services.sync`` (a package): the sync engine; ``cycle.account_sync_cycle`` runs
  one cycle of one account, whose lease the caller holds (``workers.leases``).
- ``channel.services.retention``, ``channel.services.notifications``: C27 and S3.
- ``channel.selectors``: ``amazon_orders_list``, ``cannot_import_filter``.
- ``channel.errors``: ``ChannelError`` and its refusals, and the channel's other exceptions.
- ``channel.connect`` (connecting accounts) and ``channel.outbox`` (confirmations to Amazon):
  their pages are the dashboard's.
"""
