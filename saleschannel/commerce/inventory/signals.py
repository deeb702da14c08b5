"""``salable_increased`` (kwargs ``stock``, ``skus``): sent on commit whenever salable quantity may have risen."""

from __future__ import annotations

from django.dispatch import Signal

salable_increased = Signal()
