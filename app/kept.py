"""A bounded store of values worked out once and asked for again, per worker.

Some of what a request works out is the same for the next request that asks the same (a URL, a
resident page without the resident's own values). Keys may hold query values (hidden fields of QR
codes), so the store is bounded: when it is full, the value used longest ago is dropped, and is
worked out anew if it is asked for again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")


class KeptValues(OrderedDict):
    """Values by key, at most `most` of them, the one used longest ago dropped first."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def kept(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value kept under `key`, built and kept on first use (TypeError: `key` cannot be a key)."""
        try:
            self.move_to_end(key)
        except KeyError:
            value = build()
            if len(self) >= self.most:
                self.popitem(last=False)
            self[key] = value
            return value
        return self[key]
