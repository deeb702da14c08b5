"""Sales Channel: imports a merchant's Amazon orders into an embedded store."""

__version__ = "0.1.0"
