"""Keyset pages for the API: ``?after=<cursor>``, a ``next`` link, and never a COUNT over the table.

The pages are the dashboard's (``saleschannel.dashboard.pagination``); the cursor and ``limit``
are checked with the other query parameters (``saleschannel.api.params``), and the ``next``
link is written from the checked parameters, each once (``params.link``).
"""

from __future__ import annotations

from saleschannel.dashboard.pagination import PAGE_SIZE

MAX_LIMIT = 200

__all__ = ["MAX_LIMIT", "PAGE_SIZE"]
