"""Token buckets, one per client: a steady rate with room for a burst.  Plain Python, no HTTP.

The buckets live in this process's memory: with several app processes each holds its own, so a
client may get up to (processes × rate).  That is enough to stop one client from flooding a
process; it is not a quota.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBuckets:
    """``rate`` tokens a second per key, up to ``burst`` saved; thread-safe."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket: 0.0 when there was one, else the seconds until
        there will be (and nothing is spent)."""
        moment = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, moment))
            tokens = min(self.burst, tokens + (moment - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, moment)
                if len(self._buckets) > self._max_keys:
                    self._forget(moment)
                return 0.0
            self._buckets[key] = (tokens, moment)
            return (1.0 - tokens) / self.rate

    def _forget(self, moment: float) -> None:
        """Drop buckets that have filled up again (they hold nothing worth keeping); if that is
        not enough, the least recently used half."""
        full = [key for key, (tokens, at) in self._buckets.items()
                if tokens + (moment - at) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) > self._max_keys // 2:
            by_age = sorted(self._buckets, key=lambda key: self._buckets[key][1])
            for key in by_age[:len(by_age) // 2]:
                del self._buckets[key]
