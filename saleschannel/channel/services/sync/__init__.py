"""The sync engine (S1-S5): what one account's sync reads from Amazon, and how it is paced.

- ``cycle``: one sync cycle of one account (``account_sync_cycle``), logged as a ``SyncRun``;
- ``incremental`` (S1), ``sweeps`` (S2 b), ``rechecks`` (S2 a), ``backfill``: the reads;
- ``base``: the cycle's state and ``order_take``, one order recorded and evaluated;
- ``client``: the seller's client on the shared buckets; ``ratelimit``: those buckets (S5);
- ``scheduler``: when an account is next due, and the sweeps' windows (``SyncPolicy``);
- ``fetches``: claims on the getOrder requests notifications leave (S3);
- ``synclog`` and ``selectors``: the sync log's retention and reads.

The leases that keep one process per account live with the processes, in ``workers``.
"""
