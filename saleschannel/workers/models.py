"""Leases, shared rate-limit buckets, sync runs: the state of the sync engine."""
