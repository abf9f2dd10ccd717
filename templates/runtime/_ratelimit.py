"""Client-side rate limiting.

Three layers, from pure to I/O:

* `RateLimit`: one quota, "at most `requests` request starts in any interval of `per`
  seconds", optionally scoped to the operations of one `group`.
* `RateLimitPolicy`: the sans-I/O core. Sliding-log windows, server-imposed holds (429,
  `Remaining: 0`) and the parsing of rate-limit response headers. It never sleeps, never
  locks and never reads a clock: every method takes `now`.
* `RateLimiter`: a thread-safe shell around one policy for sync (`acquire`) and async
  (`aacquire`) callers. One instance may be shared by several clients and many threads or
  tasks.

Scopes: a limit without a group applies to every operation; a limit with a group applies only
to the operations of that group. A server hold observed on an operation of group `g` holds
scope `g`; a hold observed on an ungrouped operation holds scope `None`. An operation of group
`g` waits for holds on `g` and on `None`, so a 429 from an ungrouped operation pauses every
operation while a 429 from a per-operation bucket pauses only that bucket.

Time model: a server counts a request when it arrives, which the client cannot see; it lies
between the request's start and its response. Slots are planned from start times (so that
concurrent callers get distinct slots at once), a request counts from its start until its
response arrives (`RateLimiter.observe` records the response), and when a wait is over the
slot is confirmed against the requests that really started. So in any interval of `per`
seconds the server sees at most `requests` arrivals, whatever the network delays.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Protocol, runtime_checkable

from ._ratelimit_headers import ParsedRateLimitHeaders, parse_rate_limit_headers
from ._ratelimit_policy import (
    RateLimit,
    RateLimitPolicy,
    Reservation,
    ServerQuota,
    WaitTooLong,
    check_wait,
    default_margin,
)

__all__ = [
    "ParsedRateLimitHeaders",
    "RateLimit",
    "RateLimitPolicy",
    "RateLimiter",
    "Reservation",
    "ServerQuota",
    "SupportsRateLimiting",
    "WaitTooLong",
    "default_margin",
    "parse_rate_limit_headers",
    "report_failure",
    "resolve_rate_limiter",
]


def _logger_name() -> str:
    package = __package__ or ""
    return f"{package}.ratelimit" if package else "ratelimit"


@runtime_checkable
class SupportsRateLimiting(Protocol):
    """What the base client needs from a limiter (`RateLimiter`, `RedisRateLimiter`).

    Optional, used when present: `failed(group, *, sent)` after a transport error ended the
    request this thread / task started (`report_failure`); `sent=False` when it never left the
    client."""

    def acquire(self, group: str | None = None, max_wait: float | None = None) -> float: ...

    async def aacquire(self, group: str | None = None, max_wait: float | None = None) -> float: ...

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None: ...

    def snapshot(self) -> dict[str | None, ServerQuota]: ...


# Waits up to this long are normal pacing (debug); longer ones are worth a warning.
WARN_AFTER_SECONDS = 3.0


def log_wait(logger: logging.Logger, delay: float, group: str | None, reason: str) -> None:
    level = logging.WARNING if delay > WARN_AFTER_SECONDS else logging.DEBUG
    if logger.isEnabledFor(level):
        logger.log(level, "rate limit: waiting %.3fs before a request (group=%r): %s", delay, group, reason)


class RateLimiter:
    """Thread- and task-safe client-side rate limiter.

    ```python
    limiter = RateLimiter([RateLimit(100, 60), RateLimit(3000, 3600)])
    client_a = Client(rate_limits=limiter)  # clients sharing one key share one limiter
    ```

    `limits=[]` limits nothing client-side but still honours server holds (429 with
    `Retry-After`, `Remaining: 0`). The lock is held only while a slot is reserved or
    confirmed, never while sleeping. Every wait is logged at debug level with its reason.

    A request counts from its start until its response arrives: `observe`, called in the
    thread or task that acquired, moves the request's entry in the windows to the time of
    its response (the latest moment the server can have counted it), and a planned slot is
    confirmed against the requests that really started when its wait is over. Once responses
    are reported, a request still in flight a window after its start keeps counting until it
    is answered (or the next `acquire` of its thread / task, or 60 s).
    """

    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
        async_sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        logger: logging.Logger | None = None,
        margin: float | None = None,
        default_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_hold: float = 3600.0,
    ) -> None:
        self._policy = RateLimitPolicy(
            limits,
            margin=margin,
            default_backoff=default_backoff,
            max_backoff=max_backoff,
            max_hold=max_hold,
        )
        # Until a response is reported (observe), requests count for a window from their start,
        # as for callers that use `acquire` alone; after that, until they are answered.
        self._policy.holds_in_flight = False
        self._lock = threading.Lock()
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._logger = logger if logger is not None else logging.getLogger(_logger_name())
        # The slot of the request this thread / task is sending, so that `observe` can
        # anchor it at its response time (see RateLimitPolicy.complete).
        self._in_flight: ContextVar[Reservation | None] = ContextVar(f"{__name__}.in_flight.{id(self)}", default=None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._policy.limits)!r})"

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        return self._policy.limits

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    @property
    def policy(self) -> RateLimitPolicy:
        """The underlying policy; lock-free, so only for inspection in tests."""
        return self._policy

    def _wait_allowed(self, slot: Reservation, waited: float, max_wait: float | None) -> None:
        try:
            check_wait(slot.delay, waited, max_wait, slot.group, slot.reason)
        except WaitTooLong:
            self._give_back(slot)
            raise
        log_wait(self._logger, slot.delay, slot.group, slot.reason)

    def _begin(self, group: str | None) -> Reservation:
        # A request of this thread / task that never reported its response (a transport
        # error before a retry, say) ended now at the latest.
        previous = self._in_flight.get()
        if previous is not None:
            self._in_flight.set(None)
        with self._lock:
            now = self._clock()
            if previous is not None:
                self._policy.complete(previous, now)
            return self._policy.reserve_slot(group, now)

    def _start(self, slot: Reservation) -> Reservation:
        with self._lock:
            slot = self._policy.start(slot, self._clock())
        if slot.delay <= 0:
            self._in_flight.set(slot)
        return slot

    def _give_back(self, slot: Reservation) -> None:
        with self._lock:
            self._policy.cancel(slot)

    def _free(self, group: str | None) -> bool:
        """Nothing to wait for or to record: no window applies to `group`, no server hold is
        active, and no earlier request of this thread / task is still counted."""
        if self._in_flight.get() is not None:
            return False
        with self._lock:
            return not self._policy.windows_for(group) and self._policy.hold_until(group, self._clock()) is None

    def acquire(self, group: str | None = None, max_wait: float | None = None) -> float:
        """Block until a request of `group` may start; returns the seconds waited. Raises
        `WaitTooLong` at once, without sleeping, when that would take more than `max_wait`."""
        if self._free(group):
            return 0.0
        slot = self._begin(group)
        waited = 0.0
        while True:
            if slot.delay > 0:
                self._wait_allowed(slot, waited, max_wait)
                try:
                    self._sleep(slot.delay)
                except BaseException:
                    self._give_back(slot)
                    raise
                waited += slot.delay
            slot = self._start(slot)
            if slot.delay <= 0:
                return waited

    async def aacquire(self, group: str | None = None, max_wait: float | None = None) -> float:
        """Async twin of `acquire`: waits with `asyncio.sleep`, never blocks the loop."""
        if self._free(group):
            return 0.0
        slot = self._begin(group)
        waited = 0.0
        while True:
            if slot.delay > 0:
                self._wait_allowed(slot, waited, max_wait)
                try:
                    await self._async_sleep(slot.delay)
                except BaseException:
                    self._give_back(slot)
                    raise
                waited += slot.delay
            slot = self._start(slot)
            if slot.delay <= 0:
                return waited

    def try_acquire(self, group: str | None = None) -> float:
        """Start a request of `group` now if every window and hold allows it (returns 0; report
        its response with `observe` as usual); else reserve nothing and return the seconds to
        wait before asking again."""
        slot = self._begin(group)
        if slot.delay <= 0:
            slot = self._start(slot)
            if slot.delay <= 0:
                return 0.0
        self._give_back(slot)
        return slot.delay

    def hold_in_flight(self) -> None:
        """Count each request until its response from now on, as after a first `observe` (for a
        limiter that takes over from one whose caller reports responses)."""
        with self._lock:
            self._policy.holds_in_flight = True

    def withdraw(self) -> None:
        """The request this thread / task was just allowed to start will not be sent: its
        entry leaves every window (a caller that must ask another limiter first, say)."""
        slot = self._in_flight.get()
        if slot is not None:
            self._in_flight.set(None)
            with self._lock:
                self._policy.withdraw(slot)

    def in_flight_start(self) -> float | None:
        """When the request this thread / task is sending started (None when there is none)."""
        slot = self._in_flight.get()
        return None if slot is None else slot.start

    def seed(self, limit_index: int, times: Iterable[float]) -> None:
        """Count requests made elsewhere (at `times`, on this limiter's clock) in one window."""
        with self._lock:
            self._policy.seed(limit_index, times)

    def hold_remaining(self, group: str | None = None) -> float:
        """Seconds left on the server hold that applies to `group` (0 when none)."""
        with self._lock:
            now = self._clock()
            held = self._policy.hold_until(group, now)
        return 0.0 if held is None else held[0] - now

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None:
        """Digest a response (call it for every response, 429 included). Returns the
        seconds of server hold it imposed, if any. Called in the thread / task that
        acquired the slot, it also records when that request ended."""
        finished = self._in_flight.get()
        if finished is not None:
            self._in_flight.set(None)
        with self._lock:
            now = self._clock()
            if finished is not None:
                self._policy.holds_in_flight = True
                self._policy.complete(finished, now)
            decision = self._policy.observe(group, status_code, headers, now, wall_now=self._wall_clock())
        if decision is None:
            return None
        self._logger.debug("rate limit: %s (%.3fs)", decision[1], decision[0])
        return decision[0]

    async def aobserve(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None:
        return self.observe(group, status_code, headers)

    def failed(self, group: str | None, *, sent: bool = True) -> None:
        """The request this thread / task started ended without a response (a transport error).
        `sent=False`: it never left the client (no connection): it leaves the windows. Else the
        server may have received it: it counts as answered now, a window from now."""
        if not sent:
            self.withdraw()
            return
        finished = self._in_flight.get()
        if finished is not None:
            self._in_flight.set(None)
            with self._lock:
                self._policy.complete(finished, self._clock())

    def snapshot(self) -> dict[str | None, ServerQuota]:
        """Latest server-reported limit/remaining/reset (and quota usage) per group."""
        with self._lock:
            return self._policy.snapshot()


def report_failure(limiter: object, group: str | None, *, sent: bool) -> None:
    """Tell `limiter` that the request this thread / task started ended in a transport error,
    when it can hear it (`failed(group, sent=...)`, optional: a limiter without it counts the
    request as in flight until this thread / task acquires again, 60 s at most)."""
    failed = getattr(limiter, "failed", None)
    if callable(failed):
        failed(group, sent=sent)


def resolve_rate_limiter(
    rate_limits: Sequence[RateLimit] | SupportsRateLimiting | None,
    *,
    default: Sequence[RateLimit],
    logger: logging.Logger | None = None,
) -> SupportsRateLimiting:
    """The limiter a client should use for its `rate_limits=` argument: `None` -> the
    spec's `default` quotas, a list of `RateLimit` -> those, a limiter instance -> itself
    (so several clients can share one)."""
    if rate_limits is None:
        return RateLimiter(default, logger=logger)
    if isinstance(rate_limits, SupportsRateLimiting):
        return rate_limits
    if isinstance(rate_limits, str | bytes) or not isinstance(rate_limits, Sequence):
        msg = f"rate_limits must be None, a list of RateLimit or a rate limiter, got {rate_limits!r}"
        raise TypeError(msg)
    return RateLimiter(list(rate_limits), logger=logger)
