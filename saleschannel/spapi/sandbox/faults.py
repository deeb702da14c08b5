"""Faults on demand, on the Amazon routes only: a 500 or 503, a stall past the
client's timeout, or a body cut off in the middle."""

from __future__ import annotations

import random
import threading
from enum import Enum


class Fault(Enum):
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    STALL = "stall"
    TRUNCATED = "truncated"


class FaultInjector:
    """Draws a fault for a fraction ``rate`` of the calls, the kinds in equal shares."""

    def __init__(self, rate: float = 0.0, *, seed: int | None = None, stall_seconds: float = 35.0) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        if stall_seconds < 0:
            raise ValueError("stall seconds cannot be negative")
        self.rate = rate
        self.stall_seconds = stall_seconds
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self) -> Fault | None:
        if self.rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(list(Fault))
