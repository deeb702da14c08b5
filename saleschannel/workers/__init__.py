"""The processes that run the sync: the worker loop (``loop.Worker``) and the leases that keep
one process per account (``leases``: ``under_lease``, ``account_sync_leased`` for
``sync --once`` and "Sync now", ``LeaseBusy``). Everything the sync reads and decides is the
channel's (``channel.services.sync``); only ``channel`` and below are imported here.
"""
