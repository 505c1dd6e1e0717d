"""Rate-limit counters in process memory (`lyssna-memory://`), used when there is no Redis."""

import time

from limits.storage import MemoryStorage


class SweepingMemoryStorage(MemoryStorage):
    """limits' in-memory counters, without a thread for nearly every request (`lyssna-memory://`).

    The stock storage starts a 10 ms timer thread to drop expired counters whenever none is
    running: on a busy worker that is a new thread per request, and starting one waits for the
    scheduler (the benchmark measured it as the costliest part of a page under load). Expired
    counters are already ignored when read; here they are also swept inline, at most every
    SWEEP_SECONDS, so memory stays bounded.
    """

    STORAGE_SCHEME = ["lyssna-memory"]
    SWEEP_SECONDS = 10.0

    def __init__(self, uri: str | None = None, **options) -> None:
        super().__init__(uri, **options)
        self.timer.cancel()
        self.next_sweep = time.monotonic() + self.SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the private timer start
        if time.monotonic() >= self.next_sweep:
            self.next_sweep = time.monotonic() + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()
