"""Limiting failed admin-token attempts, per client address.

After ``limit`` failed attempts from one address within ``window``
seconds, every further attempt from it is refused with ``429 Too Many
Requests`` and a ``Retry-After`` header, until the oldest of those
failures is ``window`` seconds old; the correct token is refused too
meanwhile, so guessing cannot go on.  A successful attempt forgets the
address's failures.

The counts live in the memory of each dashboard process (several
instances each count their own), bounded to :data:`MAX_ADDRESSES`
addresses.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable

__all__ = ["FailureLimiter", "MAX_ADDRESSES"]

#: Most client addresses remembered at once; the stalest are forgotten.
MAX_ADDRESSES = 10_000


class FailureLimiter:
    """Counts failures per key (a client address) in a sliding window.

    :param limit: failures allowed within ``window``; ``0`` disables the
        limiter.
    :param window: seconds a failure is remembered.
    :param clock: monotonic clock (tests pass their own).
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: collections.OrderedDict[str, collections.deque[float]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> collections.deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may try again, or ``None`` if it may now."""
        if self.limit <= 0:
            return None
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if times is None or len(times) < self.limit:
                return None
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, key: str) -> None:
        """Record a failed attempt of ``key``."""
        if self.limit <= 0:
            return
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if times is None:
                times = self._failures[key] = collections.deque(maxlen=self.limit)
            times.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with self._lock:
            self._failures.pop(key, None)
