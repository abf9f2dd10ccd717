"""One limit's sliding log, the building block of `RateLimitPolicy` (`_ratelimit_policy.py`).

Pure data and arithmetic: no clock, no lock, no I/O.

A request counts from its start until its response arrives, and a window's span after that:
the server counts it on arrival, which may come any time before the response. So a request
still in flight a span after its start stays in the window (as if it had started at the
latest check) until it is answered, or until `MAX_IN_FLIGHT` after its start when nobody ever
reports it (its caller failed without a response and made no further call). Requests whose
responses are never reported (a limiter used with `acquire` alone) are not held.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._ratelimit_policy import RateLimit

# An unanswered request stops counting this long after its start (seconds): the default read
# timeout of the clients, after which their call has failed whatever the server did.
MAX_IN_FLIGHT = 60.0
_EPSILON = 1e-9


class Window:
    """One limit's sliding log.

    `log` holds every request the window knows of: slots planned for the future, requests
    that started (at their start) and requests that finished (at their response time).
    New slots are planned against it. `started` holds only requests that really started,
    at their start or, once answered, at their response time: the check made when a
    request is about to start uses it. `flying` holds the starts of the requests not yet
    answered; `stale` of them started more than a span before the latest `prune` (`now`)
    and were cut from the logs.
    """

    __slots__ = ("flying", "limit", "log", "now", "span", "stale", "started")

    def __init__(self, limit: RateLimit, margin: float) -> None:
        self.limit = limit
        self.span = limit.per + margin
        self.log: list[float] = []
        self.started: list[float] = []
        self.flying: list[float] = []
        self.now = 0.0
        self.stale = 0

    def prune(self, now: float) -> None:
        # An entry at or before `now - span` shares no interval of length `span` with a
        # start at `now` or later, unless its request is still in flight.
        horizon = now - self.span
        for entries in (self.log, self.started):
            cut = bisect_right(entries, horizon)
            if cut:
                del entries[:cut]
        lost = bisect_right(self.flying, now - MAX_IN_FLIGHT)
        if lost:
            del self.flying[:lost]
        self.now = now
        self.stale = bisect_right(self.flying, horizon)

    def earliest(self, t: float) -> float:
        """The earliest time >= t at which one more entry keeps every interval of length
        `span` at `requests` entries or fewer (planning; a request still in flight that was
        cut from the log counts as an entry at the latest prune)."""
        log = self.log
        if self.stale:
            log = list(log)
            for _ in range(self.stale):
                insort(log, self.now)
        return earliest_free(log, self.limit.requests, self.span, t)

    def start_time(self, t: float) -> float:
        """The same, against the requests that really started (which may have started out of
        their planned order): the earliest time >= t at which a request may start. A request
        in flight for a span or longer by `t` may still reach the server at any moment: it
        counts as an entry at the latest prune instead of dropping out."""
        cut = bisect_right(self.flying, t - self.span + _EPSILON)
        if not cut:
            return earliest_free(self.started, self.limit.requests, self.span, t)
        counted = list(self.started)
        for x in self.flying[:cut]:
            discard(counted, x)  # a no-op for those already pruned
        for _ in range(cut):
            insort(counted, self.now)
        return earliest_free(counted, self.limit.requests, self.span, t)

    def add(self, t: float) -> None:
        insort(self.log, t)

    def remove(self, t: float) -> None:
        discard(self.log, t)

    def move(self, old: float, new: float) -> None:
        discard(self.log, old)
        insort(self.log, new)

    def start(self, planned: float, at: float, *, held: bool = True) -> None:
        """The request planned at `planned` started at `at`; `held=False` when its response
        will not be reported (it then counts for a span from its start only)."""
        self.move(planned, at)
        insort(self.started, at)
        if held:
            insort(self.flying, at)

    def withdraw(self, started_at: float) -> None:
        """The request started at `started_at` was not sent after all."""
        self._unfly(started_at)
        discard(self.log, started_at)
        discard(self.started, started_at)

    def _unfly(self, started_at: float) -> None:
        i = bisect_left(self.flying, started_at)
        if i < len(self.flying) and self.flying[i] == started_at:
            del self.flying[i]
            if i < self.stale:
                self.stale -= 1

    def finish(self, started_at: float, ended: float) -> None:
        """The request started at `started_at` was answered at `ended` (or failed then); its
        entry, cut from the logs if it was in flight for longer than a span, comes back at
        `ended`."""
        self._unfly(started_at)
        if ended <= started_at:
            return
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
