"""What a `RedisRateLimiter` does while Redis is unreachable, and how it joins the others again.

States: `shared` (Redis decides), `local` (Redis failed: this process limits itself to its share
of every quota), `rejoining` (Redis answers again: both Redis and the local share must allow a
start until every process can have rejoined and the requests made meanwhile are in Redis).

* Share: each Redis reply carries the number of participants (limiter instances seen within
  the participant TTL); during an outage a process allows itself `requests // participants`
  (at least 1) per window, so together they stay within the quota.
* Onset: the windows in Redis already hold requests of every process. Each reply also carries,
  per window, this process's run of the entries: newest first, the participant of place i (by
  id) gets entries i*share+1 .. (i+1)*share, at times never earlier than they are. The local
  windows start from those. Then in any window the server sees at most the runs' entries plus
  `share` per process minus each run's entries inside it, which is never more than the quota:
  the entries of a window ending after the outage began are the newest ones, so the first
  `participants * share` of them are in the runs and the rest cannot exceed what is left. A
  window without a recent view is taken as full at the moment Redis failed.
* Probes: while local, one background probe every `probe_interval` asks Redis again; calls
  never wait for Redis meanwhile.
* Rejoin: the requests made locally are written into Redis, then `rejoining` lasts until every
  process can have probed again and a full window has passed since the outage began (a Redis
  that restarted empty lost the requests made before it).

Everything here is guarded by one lock and never does I/O; `RedisRateLimiter` does the Redis
calls and sleeping.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from ._ratelimit import RateLimit, RateLimiter, default_margin

State = Literal["shared", "local", "rejoining"]
# At most this many seeds per window and step of a view ("age:count"); keeps replies small.
_MAX_SEEDS = 100_000


def parse_view(text: str, now: float) -> list[float]:
    """`"age:count,..."` (ages on the Redis clock) -> seed times on the local clock `now`."""
    times: list[float] = []
    for part in filter(None, text.split(",")):
        age, _, count = part.partition(":")
        times.extend([now - float(age)] * min(int(count), _MAX_SEEDS))
    return times


class Failover:
    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        margin: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        async_sleep: Callable[[float], Awaitable[object]],
        logger: logging.Logger,
        probe_interval: float,
        rejoin_after: float,
        lookahead: float,
        default_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_hold: float = 3600.0,
    ) -> None:
        self._limits = tuple(limits)
        self._spans = [item.per + (default_margin(item.per) if margin is None else margin) for item in self._limits]
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._logger = logger
        self._backoff = (default_backoff, max_backoff, max_hold)
        self.probe_interval = probe_interval
        self.rejoin_after = rejoin_after
        self.lookahead = lookahead
        self._lock = threading.Lock()
        self.state: State = "shared"
        self.participants = 0  # as last seen in Redis; 0 before the first reply
        self.outages = 0
        self._views: dict[int, tuple[float, list[float]]] = {}  # limit index -> (seen at, seeds)
        self._fallback: RateLimiter | None = None
        self._share_of = 1
        self._seeds: list[list[float]] = [[] for _ in self._limits]
        self._since = 0.0
        self._rejoin_until = 0.0
        self._next_probe = 0.0
        self._probing = False

    # ------------------------------------------------------------------ while shared

    def saw(self, participants: int, indices: Sequence[int], views: Sequence[str]) -> None:
        """A reserve/start reply: the participants and, per window of `indices`, its view."""
        now = self._clock()
        parsed = [(index, parse_view(text, now)) for index, text in zip(indices, views, strict=False)]
        with self._lock:
            self.participants = participants
            for index, seeds in parsed:
                self._views[index] = (now, seeds)

    # ------------------------------------------------------------------ outage

    def failed(self, sent: float) -> bool:
        """Redis failed a call sent at `sent` (so it answered nothing later than that). Returns
        True when this starts an outage (the caller warns)."""
        with self._lock:
            if self.state == "local":
                return False
            now = self._clock()
            previous = self._fallback if self.state == "rejoining" else None
            share_of = max(1, self.participants, self._share_of if previous is not None else 1)
            if previous is None:
                limits = [RateLimit(max(1, item.requests // share_of), item.per, item.group) for item in self._limits]
                default_backoff, max_backoff, max_hold = self._backoff
                self._fallback = RateLimiter(
                    limits,
                    clock=self._clock,
                    sleep=self._sleep,
                    logger=self._logger,
                    margin=self._margin,
                    default_backoff=default_backoff,
                    max_backoff=max_backoff,
                    max_hold=max_hold,
                    async_sleep=self._async_sleep,
                )
                self._seeds = [[] for _ in self._limits]
                self._share_of = share_of
            fallback = self._fallback
            assert fallback is not None
            for index, item in enumerate(fallback.limits):
                seen_at, seeds = self._views.get(index, (-math.inf, []))
                if now - seen_at <= self.lookahead:
                    # Redis answered nobody after it failed our call: slots planned for later
                    # than that did not start through it.
                    times = [min(t, max(sent, seen_at)) for t in seeds]
                elif previous is None and self.participants > 0:
                    times = [sent] * item.requests  # no recent view: assume the window was full
                else:
                    times = []
                fallback.seed(index, times)
                self._seeds[index].extend(times)
            self.state = "local"
            self._since = now
            self._next_probe = now + self.probe_interval
            self.outages += 1
            return True

    @property
    def share_of(self) -> int:
        """The number of participants the local shares were computed for."""
        return self._share_of

    def current(self) -> tuple[State, RateLimiter | None]:
        """The state, and the local share limiter while local or rejoining (else None)."""
        with self._lock:
            if self.state == "rejoining" and self._clock() >= self._rejoin_until:
                self.state = "shared"
                self._fallback = None
                self._logger.info("rate limit: every process has rejoined; Redis alone decides again")
            return self.state, self._fallback

    def want_probe(self) -> bool:
        """True for the one caller that should probe Redis now (local state, probe due)."""
        with self._lock:
            if self.state != "local" or self._probing or self._clock() < self._next_probe:
                return False
            self._probing = True
            return True

    def probe_failed(self) -> None:
        with self._lock:
            self._probing = False
            self._next_probe = self._clock() + self.probe_interval

    def rejoined(self, participants: int) -> list[list[float]]:
        """Redis answered a probe: switch to `rejoining` and return, per limit, the ages of the
        requests made locally that are still inside their window (to write into Redis)."""
        with self._lock:
            self._probing = False
            now = self._clock()
            self.participants = max(participants, self.participants)
            fallback = self._fallback
            ages: list[list[float]] = [[] for _ in self._limits]
            if fallback is not None:
                for index, span in enumerate(self._spans):
                    own = Counter(fallback.policy.starts(index))
                    own.subtract(Counter(self._seeds[index]))
                    ages[index] = sorted(now - t for t, n in own.items() for _ in range(n) if t > now - span)
            self.state = "rejoining"
            self._rejoin_until = max(now + self.rejoin_after, self._since + max(self._spans, default=0.0))
            outage = now - self._since
        self._logger.info("rate limit: Redis answers again after %.1fs; sharing the quota again", outage)
        return ages
