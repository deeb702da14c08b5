"""A local stand-in for Amazon's order APIs, for tests and demos.

``SandboxApp`` holds the state and answers requests; ``SandboxApp.transport()`` runs
it in-process for ``httpx``; ``server.run_in_thread`` and ``server.SandboxServer``
serve it over HTTP on loopback (``saleschannel sandbox serve``).
"""

from saleschannel.spapi.sandbox.app import DEFAULT_SELLER_ID, SandboxApp
from saleschannel.spapi.sandbox.generator import DEFAULT_SKUS, MARKETPLACES, OrderGenerator
from saleschannel.spapi.sandbox.server import SandboxServer, run_in_thread

__all__ = [
    "DEFAULT_SELLER_ID",
    "DEFAULT_SKUS",
    "MARKETPLACES",
    "OrderGenerator",
    "SandboxApp",
    "SandboxServer",
    "run_in_thread",
]
