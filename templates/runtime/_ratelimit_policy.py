"""The sans-I/O core of client-side rate limiting: quotas, sliding-log windows and server holds.

It never sleeps, never locks and never reads a clock: every method takes `now`.
"""

from __future__ import annotations

import math
from bisect import insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from ._config import QuotaUsageHeaders, RateLimit
from ._ratelimit_headers import (
    _NO_HEADERS,
    DEFAULT_USAGE_HEADERS,
    ParsedRateLimitHeaders,
    parse_rate_limit_headers,
)
from ._ratelimit_window import Window

__all__ = [
    "RateLimit",
    "RateLimitPolicy",
    "Reservation",
    "ServerQuota",
    "WaitTooLong",
    "check_wait",
    "default_margin",
]

_EPSILON = 1e-9


@dataclass(frozen=True)
class ServerQuota:
    """The latest rate-limit figures a server reported for one group.

    `reset_at` is a local epoch timestamp (corrected for the server's clock skew when the
    response carried a `Date` header). `daily_used` / `monthly_used` are the requests used so far
    of a daily / monthly quota, from the headers the API names for them (`QuotaUsageHeaders`).
    """

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    window: float | None = None
    daily_used: int | None = None
    monthly_used: int | None = None


@dataclass(frozen=True)
class Reservation:
    """A start slot handed out by `RateLimitPolicy.reserve_slot`.

    `start` is on the policy's (monotonic) time line, `delay` is `start - now` at the time of
    the reservation and `reason` says what pushed the start back (empty when nothing did).
    """

    group: str | None
    start: float
    delay: float
    reason: str


class WaitTooLong(Exception):
    """A request would have to wait longer than its caller allows (`max_wait`); nothing was
    reserved or slept. The client turns it into its own rate-limit error."""

    def __init__(self, seconds: float, group: str | None, reason: str, waited: float = 0.0) -> None:
        self.seconds = seconds
        self.group = group
        self.reason = reason
        self.waited = waited
        super().__init__(f"a wait of {seconds:.3g}s (group={group!r}, {reason or 'rate limit'}) exceeds max_wait")


def check_wait(delay: float, waited: float, max_wait: float | None, group: str | None, reason: str) -> None:
    """Raise `WaitTooLong` when waiting `delay` more seconds would take a call past `max_wait`."""
    if max_wait is not None and delay > 0 and waited + delay > max_wait + _EPSILON:
        raise WaitTooLong(delay, group, reason, waited)


def default_margin(per: float) -> float:
    """Extra length added to every window: 0.2% plus 2 ms (4 ms for a 1 s window, 0.12 s
    for a minute).

    Network delay needs no margin: requests count from their start until their response
    arrives, which brackets the moment a server counts them. What is left is a server clock
    that runs a little faster than ours and timer granularity.
    """
    return 0.002 * per + 0.002


# --------------------------------------------------------------------------- policy


class RateLimitPolicy:
    """Sans-I/O rate-limit policy: no clocks, no sleeping, no locking.

    `reserve(group, now)` returns the delay after which a request of `group` may start and
    records that start in every applicable window, so concurrent callers receive distinct
    slots. The finer protocol, used by `RateLimiter`: `reserve_slot` plans a slot,
    `start` confirms it when the wait is over (or says how much longer to wait) and
    `complete` records when the response arrived. `observe(...)` turns response headers
    into holds and quota snapshots.
    """

    def __init__(
        self,
        limits: Iterable[RateLimit],
        *,
        margin: float | None = None,
        default_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_hold: float = 3600.0,
        usage_headers: QuotaUsageHeaders = DEFAULT_USAGE_HEADERS,
    ) -> None:
        items = tuple(limits)
        for item in items:
            if not isinstance(item, RateLimit):
                msg = f"rate limits must be RateLimit instances, got {item!r}"
                raise TypeError(msg)
        if margin is not None and (not math.isfinite(margin) or margin < 0):
            msg = f"margin must be a non-negative number of seconds, got {margin!r}"
            raise ValueError(msg)
        self._limits = items
        self._windows = [Window(item, default_margin(item.per) if margin is None else margin) for item in items]
        self._by_group: dict[str | None, list[Window]] = {}
        self._holds: dict[str | None, tuple[float, str]] = {}
        self._strikes: dict[str | None, int] = {}
        self._quotas: dict[str | None, ServerQuota] = {}
        self.default_backoff = default_backoff
        self.max_backoff = max_backoff
        self.max_hold = max_hold
        self.usage_headers = usage_headers
        # Whether responses are reported (`complete`): only then does a request still in
        # flight a window after its start keep counting until it is answered.
        self.holds_in_flight = True

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        return self._limits

    def windows_for(self, group: str | None) -> list[Window]:
        windows = self._by_group.get(group)
        if windows is None:
            windows = [w for w in self._windows if w.limit.group is None or w.limit.group == group]
            self._by_group[group] = windows
        return windows

    def starts(self, limit_index: int) -> tuple[float, ...]:
        """Entries (planned slots, starts, responses) of `limits[limit_index]`, for tests
        and diagnostics."""
        return tuple(self._windows[limit_index].log)

    def started(self, limit_index: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """Requests of `limits[limit_index]` that really started (at their start or, once
        answered, their response), and those in flight (their starts)."""
        window = self._windows[limit_index]
        return tuple(window.started), tuple(window.flying)

    # ------------------------------------------------------------------ holds

    def hold_until(self, group: str | None, now: float) -> tuple[float, str] | None:
        """The latest active hold that applies to `group` (time, reason), if any."""
        best: tuple[float, str] | None = None
        for scope in (None, group) if group is not None else (None,):
            held = self._holds.get(scope)
            if held is None:
                continue
            if held[0] <= now:
                del self._holds[scope]
                continue
            if best is None or held[0] > best[0]:
                best = held
        return best

    def hold(self, group: str | None, seconds: float, now: float, reason: str) -> None:
        """Hold scope `group` for `seconds` (never shortens an existing hold)."""
        if not seconds > 0:
            return
        until = now + min(seconds, self.max_hold)
        current = self._holds.get(group)
        if current is None or until > current[0]:
            self._holds[group] = (until, reason)

    # ------------------------------------------------------------------ reserve

    def reserve_slot(self, group: str | None, now: float) -> Reservation:
        """Plan a slot for a request of `group`: the earliest time, not before `now`, that
        keeps every applicable window and hold. The slot is recorded at once, so that
        concurrent callers are handed distinct slots. Call `start` when the wait is over."""
        windows = self.windows_for(group)
        for window in windows:
            window.prune(now)
        t, reason = now, ""
        held = self.hold_until(group, now)
        if held is not None:
            t, reason = held
        changed = True
        while changed:
            changed = False
            for window in windows:
                later = window.earliest(t)
                if later > t:
                    t, changed = later, True
                    reason = f"window {window.limit.describe()}"
        for window in windows:
            window.add(t)
        return Reservation(group=group, start=t, delay=t - now, reason=reason)

    def start(self, reservation: Reservation, now: float) -> Reservation:
        """The wait for `reservation` is over: may its request start?

        Returns a reservation with `delay == 0` (start it; pass that reservation to
        `complete` when its response arrives) or one with `delay > 0` (wait that long and
        call `start` again), when a server hold arrived meanwhile or when earlier requests
        started or were answered later than planned. Checked against the requests that
        really started, this is what guarantees that no window is ever exceeded.
        """
        group = reservation.group
        at = max(now, reservation.start)  # a sleep that returned early still waited
        windows = self.windows_for(group)
        for window in windows:
            window.prune(now)
        t, reason = at, ""
        changed = True
        while changed:
            changed = False
            held = self.hold_until(group, at)
            if held is not None and held[0] > t + _EPSILON:
                t, reason, changed = held[0], held[1], True
            for window in windows:
                later = window.start_time(t)
                if later > t + _EPSILON:
                    t, changed = later, True
                    reason = f"window {window.limit.describe()}, counted from actual starts and responses"
        if t > at:
            for window in windows:
                window.move(reservation.start, t)
            return Reservation(group=group, start=t, delay=t - at, reason=reason)
        for window in windows:
            window.start(reservation.start, at, held=self.holds_in_flight)
        return Reservation(group=group, start=at, delay=0.0, reason="")

    def reserve(self, group: str | None, now: float) -> float:
        """Delay (seconds) after which a request of `group` may start; the start is
        recorded (as if the request starts on time), so call this once per request."""
        slot = self.reserve_slot(group, now)
        for window in self.windows_for(group):
            insort(window.started, slot.start)
        return slot.delay

    def seed(self, limit_index: int, times: Iterable[float]) -> None:
        """Record requests that started elsewhere (at `times`) in `limits[limit_index]`."""
        window = self._windows[limit_index]
        for t in times:
            insort(window.log, t)
            insort(window.started, t)

    def cancel(self, reservation: Reservation) -> None:
        """Give back a planned slot whose request will not be sent."""
        for window in self.windows_for(reservation.group):
            window.remove(reservation.start)

    def withdraw(self, reservation: Reservation) -> None:
        """Take back a start (`start` returned `reservation`) whose request was not sent."""
        for window in self.windows_for(reservation.group):
            window.withdraw(reservation.start)

    def complete(self, reservation: Reservation, now: float) -> None:
        """The request started with `reservation` got its response at `now`.

        A server counts a request when it arrives, somewhere between its start and its
        response. Moving the request's entry to the response time makes the log an upper
        bound of the server's, so slow first connections or queues on the way cannot make
        two arrivals closer than the window. Until then the request counts however long it
        takes (see `_ratelimit_window.py`).
        """
        for window in self.windows_for(reservation.group):
            window.finish(reservation.start, now)

    # ------------------------------------------------------------------ observe

    def decide_hold(
        self, group: str | None, status_code: int, info: ParsedRateLimitHeaders
    ) -> tuple[float, str] | None:
        """How long scope `group` must pause after this response, and why."""
        if status_code == 429:
            strikes = self._strikes.get(group, 0)
            self._strikes[group] = strikes + 1
            if info.retry_after is not None:
                seconds, why = (
                    info.retry_after,
                    f"429 Retry-After {info.retry_after:g}s",
                )
            elif info.reset_after is not None:
                seconds, why = (
                    info.reset_after,
                    f"429, quota resets in {info.reset_after:g}s",
                )
            else:
                seconds = min(self.max_backoff, self.default_backoff * 2.0**strikes)
                why = f"429 without Retry-After, backing off {seconds:g}s"
        elif status_code < 400:
            self._strikes.pop(group, None)
            if info.remaining != 0:
                return None
            if info.reset_after is not None:
                seconds, why = (
                    info.reset_after,
                    f"remaining 0, resets in {info.reset_after:g}s",
                )
            elif info.window is not None:
                seconds, why = info.window, f"remaining 0, window {info.window:g}s"
            else:
                seconds, why = self.default_backoff, "remaining 0, no reset given"
        else:
            return None
        seconds = min(seconds, self.max_hold)
        if not seconds > 0:
            return None
        scope = "all operations" if group is None else f"group {group!r}"
        return seconds, f"server hold on {scope}: {why}"

    def record(self, group: str | None, info: ParsedRateLimitHeaders) -> None:
        """Merge the server-reported figures into the snapshot of `group`."""
        if info is _NO_HEADERS or replace(info, retry_after=None) == _NO_HEADERS:
            return
        old = self._quotas.get(group, ServerQuota())
        self._quotas[group] = ServerQuota(
            limit=info.limit if info.limit is not None else old.limit,
            remaining=info.remaining if info.remaining is not None else old.remaining,
            reset_at=info.reset_at if info.reset_at is not None else old.reset_at,
            window=info.window if info.window is not None else old.window,
            daily_used=info.daily_used if info.daily_used is not None else old.daily_used,
            monthly_used=(info.monthly_used if info.monthly_used is not None else old.monthly_used),
        )

    def observe(
        self,
        group: str | None,
        status_code: int,
        headers: Mapping[str, str],
        now: float,
        *,
        wall_now: float | None = None,
    ) -> tuple[float, str] | None:
        """Digest one response. Returns the hold it imposed (seconds, reason), if any.

        `now` is on the policy's monotonic time line; `wall_now` is the local epoch time
        (defaults to `now`, convenient when a test drives both from one fake clock).
        """
        info = parse_rate_limit_headers(
            headers, wall_now=now if wall_now is None else wall_now, usage=self.usage_headers
        )
        self.record(group, info)
        decision = self.decide_hold(group, status_code, info)
        if decision is not None:
            self.hold(group, decision[0], now, decision[1])
        return decision

    def snapshot(self) -> dict[str | None, ServerQuota]:
        return dict(self._quotas)


# --------------------------------------------------------------------------- shells
