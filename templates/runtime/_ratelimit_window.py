"""One limit's sliding log, the building block of `RateLimitPolicy` (`_ratelimit_policy.py`).

Pure data and arithmetic: no clock, no lock, no I/O.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._ratelimit_policy import RateLimit


class Window:
    """One limit's sliding log.

    `log` holds every request the window knows of: slots planned for the future, requests
    that started (at their start) and requests that finished (at their response time).
    New slots are planned against it. `started` holds only requests that really started,
    at their start or, once answered, at their response time: the check made when a
    request is about to start uses it.
    """

    __slots__ = ("limit", "log", "span", "started")

    def __init__(self, limit: RateLimit, margin: float) -> None:
        self.limit = limit
        self.span = limit.per + margin
        self.log: list[float] = []
        self.started: list[float] = []

    def prune(self, now: float) -> None:
        # An entry at or before `now - span` shares no interval of length `span` with a
        # start at `now` or later.
        horizon = now - self.span
        for entries in (self.log, self.started):
            cut = bisect_right(entries, horizon)
            if cut:
                del entries[:cut]

    def earliest(self, t: float) -> float:
        """The earliest time >= t at which one more entry keeps every interval of length
        `span` at `requests` entries or fewer (planning)."""
        return earliest_free(self.log, self.limit.requests, self.span, t)

    def start_time(self, t: float) -> float:
        """The same, against the requests that really started (which may have started out of
        their planned order): the earliest time >= t at which a request may start."""
        return earliest_free(self.started, self.limit.requests, self.span, t)

    def add(self, t: float) -> None:
        insort(self.log, t)

    def remove(self, t: float) -> None:
        discard(self.log, t)

    def move(self, old: float, new: float) -> None:
        discard(self.log, old)
        insort(self.log, new)

    def start(self, planned: float, at: float) -> None:
        self.move(planned, at)
        insort(self.started, at)

    def finish(self, started_at: float, ended: float) -> None:
        self.move(started_at, ended)
        discard(self.started, started_at)
        insort(self.started, ended)


def earliest_free(log: list[float], n: int, span: float, t: float) -> float:
    """The earliest time >= t at which one more entry in the sorted `log` keeps every interval
    of length `span` at `n` entries or fewer."""
    size = len(log)
    if size < n:
        return t
    if t >= log[-1]:
        return max(t, log[size - n] + span)
    # t falls among the entries: walk the runs of n consecutive entries. A run
    # (x_i .. x_{i+n-1}) narrower than `span` forbids the open interval
    # (x_{i+n-1} - span, x_i + span). Both ends grow with i, so one pass suffices.
    i = bisect_right(log, t - span)
    while i <= size - n:
        first, last = log[i], log[i + n - 1]
        if last - span >= t:
            break
        if last - first < span and t < first + span:
            t = first + span
        i += 1
    return t


def discard(entries: list[float], value: float) -> None:
    i = bisect_left(entries, value)
    if i < len(entries) and entries[i] == value:
        del entries[i]
