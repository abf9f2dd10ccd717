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
import email.utils
import logging
import math
import re
import threading
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

__all__ = [
    "ParsedRateLimitHeaders",
    "RateLimit",
    "RateLimitPolicy",
    "RateLimiter",
    "Reservation",
    "ServerQuota",
    "SupportsRateLimiting",
    "default_margin",
    "parse_rate_limit_headers",
    "resolve_rate_limiter",
]

_EPOCH_SECONDS = 1e9  # larger "reset" values are epoch timestamps, not durations
_EPOCH_MILLIS = 1e12  # larger still: epoch milliseconds
_EPSILON = 1e-9


def _logger_name() -> str:
    package = __package__ or ""
    return f"{package}.ratelimit" if package else "ratelimit"


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` request starts in any interval of `per` seconds.

    `group=None` applies the limit to every operation; a group name applies it only to the
    operations declared with that `rate_limit_group`.
    """

    requests: int
    per: float
    group: str | None = None

    def __post_init__(self) -> None:
        requests: object = self.requests
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            msg = f"RateLimit.requests must be a positive integer, got {requests!r}"
            raise ValueError(msg)
        per: object = self.per
        if isinstance(per, bool) or not isinstance(per, int | float) or not math.isfinite(per) or per <= 0:
            msg = f"RateLimit.per must be a positive number of seconds, got {per!r}"
            raise ValueError(msg)
        object.__setattr__(self, "per", float(per))
        group: object = self.group
        if group is not None and (not isinstance(group, str) or not group):
            msg = f"RateLimit.group must be None or a non-empty string, got {group!r}"
            raise ValueError(msg)

    def describe(self) -> str:
        scope = "all operations" if self.group is None else f"group {self.group!r}"
        return f"{self.requests} per {self.per:g}s ({scope})"


@dataclass(frozen=True)
class ServerQuota:
    """The latest rate-limit figures a server reported for one group.

    `reset_at` is a local epoch timestamp (corrected for the server's clock skew when the
    response carried a `Date` header). `daily_used` / `monthly_used` are Reloop's
    `x-reloop-daily-quota` / `x-reloop-monthly-quota` (requests used so far).
    """

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    window: float | None = None
    daily_used: int | None = None
    monthly_used: int | None = None


@dataclass(frozen=True)
class ParsedRateLimitHeaders:
    """Rate-limit headers of one response, normalised.

    `reset_after` and `retry_after` are seconds from the moment the response was observed;
    `reset_at` is the same instant as a local epoch timestamp.
    """

    limit: int | None = None
    remaining: int | None = None
    reset_after: float | None = None
    reset_at: float | None = None
    window: float | None = None
    retry_after: float | None = None
    daily_used: int | None = None
    monthly_used: int | None = None


_NO_HEADERS = ParsedRateLimitHeaders()


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


def default_margin(per: float) -> float:
    """Extra length added to every window: 0.2% plus 2 ms (4 ms for a 1 s window, 0.12 s
    for a minute).

    Network delay needs no margin: requests count from their start until their response
    arrives, which brackets the moment a server counts them. What is left is a server clock
    that runs a little faster than ours and timer granularity.
    """
    return 0.002 * per + 0.002


# --------------------------------------------------------------------------- headers

_DURATION_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*"
    r"(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)?\s*$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_NUMBER_RE = re.compile(r"^\s*[+-]?\d+(?:\.\d+)?\s*$")
_PARAM_RE = re.compile(r"^\s*(\w+)\s*=\s*\"?([^\";]*)\"?\s*$")


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(key).lower(): str(value) for key, value in headers.items()}


def _first(headers: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip():
            return value
    return None


def _parts(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _duration(text: str) -> float | None:
    match = _DURATION_RE.match(text)
    if match is None:
        return None
    unit = (match.group(2) or "s").lower()
    key = "ms" if unit == "ms" else unit[0]
    seconds = float(match.group(1)) * _UNIT_SECONDS[key]
    return seconds if math.isfinite(seconds) else None


def _number(text: str) -> float | None:
    if _NUMBER_RE.match(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _http_date(text: str) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _iso_date(text: str) -> float | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _timestamp(text: str) -> float | None:
    stamp = _http_date(text)
    return _iso_date(text) if stamp is None else stamp


def _params(value: str) -> dict[str, str]:
    """`100;w=60` -> {"w": "60"}; `limit=100, remaining=5` -> {"limit": ..., ...}."""
    found: dict[str, str] = {}
    for piece in re.split(r"[;,]", value):
        match = _PARAM_RE.match(piece)
        if match is not None:
            found.setdefault(match.group(1).lower(), match.group(2))
    return found


def _int(text: str | None) -> int | None:
    parts = _parts(text or "")
    number = _number(parts[0].split(";")[0]) if parts else None
    return None if number is None or number < 0 else int(number)


def parse_rate_limit_headers(headers: Mapping[str, str], *, wall_now: float) -> ParsedRateLimitHeaders:
    """Normalise the rate-limit headers of one response.

    Understands `X-RateLimit-Limit/Remaining/Reset/Window`, lowercase `ratelimit-*`,
    `x-rate-limit-*` (where the limit may be a window label such as `1h` and the reset an
    ISO-8601 time), the combined `RateLimit: limit=.., remaining=.., reset=..` form,
    `Retry-After` (seconds or an HTTP date) and Reloop's `x-reloop-daily-quota` /
    `x-reloop-monthly-quota`. A reset larger than 10^9 is an epoch timestamp (10^12: epoch
    milliseconds), a smaller one is seconds from now. Absolute times are read against the
    response's `Date` header when it has one, so a server clock that differs from ours
    does not shift the result. Unparsable values are ignored.
    """
    lowered = _lower(headers)
    server_now = wall_now
    date = lowered.get("date")
    if date is not None:
        parsed_date = _http_date(date)
        if parsed_date is not None:
            server_now = parsed_date

    combined = _params(lowered.get("ratelimit", ""))

    limit: int | None = None
    window: float | None = None
    raw_limit = _first(lowered, "x-ratelimit-limit", "ratelimit-limit", "x-rate-limit-limit")
    if raw_limit is None:
        raw_limit = combined.get("limit")
    if raw_limit is not None and _parts(raw_limit):
        head = _parts(raw_limit)[0]
        number = _number(head.split(";")[0])
        if number is not None and number >= 0:
            limit = int(number)
            # "100, 100;w=60, 1000;w=3600": the window of the policy matching the limit
            for part in _parts(raw_limit):
                w = _params(part).get("w")
                if w is not None and _number(part.split(";")[0]) == number:
                    window = _duration(w)
                    break
        else:
            window = _duration(head)  # a window label such as "1h"

    raw_window = _first(lowered, "x-ratelimit-window", "ratelimit-window", "x-rate-limit-window")
    if raw_window is not None and _parts(raw_window):
        window = _duration(_parts(raw_window)[0]) or window

    remaining: int | None = None
    raw_remaining = _first(
        lowered,
        "x-ratelimit-remaining",
        "ratelimit-remaining",
        "x-rate-limit-remaining",
    )
    if raw_remaining is None:
        raw_remaining = combined.get("remaining") or combined.get("r")
    if raw_remaining is not None:
        values = [_number(part.split(";")[0]) for part in _parts(raw_remaining)]
        counts = [int(v) for v in values if v is not None]
        remaining = max(0, min(counts)) if counts else None

    reset_after: float | None = None
    raw_reset = _first(lowered, "x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset")
    if raw_reset is None:
        raw_reset = combined.get("reset") or combined.get("t")
    if raw_reset is not None and _parts(raw_reset):
        value = _number(_parts(raw_reset)[0])
        if value is None:
            stamp = _timestamp(raw_reset)  # ISO-8601 or HTTP date (may contain commas)
            reset_after = None if stamp is None else stamp - server_now
        elif value >= _EPOCH_MILLIS:
            reset_after = value / 1000.0 - server_now
        elif value >= _EPOCH_SECONDS:
            reset_after = value - server_now
        else:
            reset_after = value
        if reset_after is not None:
            reset_after = max(0.0, reset_after)

    retry_after: float | None = None
    raw_retry = lowered.get("retry-after")
    if raw_retry is not None and raw_retry.strip():
        value = _number(raw_retry)
        if value is not None:
            retry_after = max(0.0, value)
        else:
            stamp = _http_date(raw_retry)
            retry_after = None if stamp is None else max(0.0, stamp - server_now)

    return ParsedRateLimitHeaders(
        limit=limit,
        remaining=remaining,
        reset_after=reset_after,
        reset_at=None if reset_after is None else wall_now + reset_after,
        window=window,
        retry_after=retry_after,
        daily_used=_int(lowered.get("x-reloop-daily-quota")),
        monthly_used=_int(lowered.get("x-reloop-monthly-quota")),
    )


# --------------------------------------------------------------------------- policy


class _Window:
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
        log, n, span = self.log, self.limit.requests, self.span
        size = len(log)
        if size < n:
            return t
        if t >= log[-1]:
            return max(t, log[size - n] + span)
        # t falls among planned slots: walk the runs of n consecutive entries. A run
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

    def start_time(self, t: float) -> float:
        """The earliest time >= t at which a request may start given the requests that
        already started: fewer than `requests` of them may lie within `span` before it."""
        started, n = self.started, self.limit.requests
        if len(started) - bisect_right(started, t - self.span) < n:
            return t
        return max(t, started[len(started) - n] + self.span)

    def add(self, t: float) -> None:
        insort(self.log, t)

    def remove(self, t: float) -> None:
        _discard(self.log, t)

    def move(self, old: float, new: float) -> None:
        _discard(self.log, old)
        insort(self.log, new)

    def start(self, planned: float, at: float) -> None:
        self.move(planned, at)
        insort(self.started, at)

    def finish(self, started_at: float, ended: float) -> None:
        self.move(started_at, ended)
        _discard(self.started, started_at)
        insort(self.started, ended)


def _discard(entries: list[float], value: float) -> None:
    i = bisect_left(entries, value)
    if i < len(entries) and entries[i] == value:
        del entries[i]


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
        self._windows = [_Window(item, default_margin(item.per) if margin is None else margin) for item in items]
        self._by_group: dict[str | None, list[_Window]] = {}
        self._holds: dict[str | None, tuple[float, str]] = {}
        self._strikes: dict[str | None, int] = {}
        self._quotas: dict[str | None, ServerQuota] = {}
        self.default_backoff = default_backoff
        self.max_backoff = max_backoff
        self.max_hold = max_hold

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        return self._limits

    def windows_for(self, group: str | None) -> list[_Window]:
        windows = self._by_group.get(group)
        if windows is None:
            windows = [w for w in self._windows if w.limit.group is None or w.limit.group == group]
            self._by_group[group] = windows
        return windows

    def starts(self, limit_index: int) -> tuple[float, ...]:
        """Entries (planned slots, starts, responses) of `limits[limit_index]`, for tests
        and diagnostics."""
        return tuple(self._windows[limit_index].log)

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
            window.start(reservation.start, at)
        return Reservation(group=group, start=at, delay=0.0, reason="")

    def reserve(self, group: str | None, now: float) -> float:
        """Delay (seconds) after which a request of `group` may start; the start is
        recorded (as if the request starts on time), so call this once per request."""
        slot = self.reserve_slot(group, now)
        for window in self.windows_for(group):
            insort(window.started, slot.start)
        return slot.delay

    def cancel(self, reservation: Reservation) -> None:
        """Give back a planned slot whose request will not be sent."""
        for window in self.windows_for(reservation.group):
            window.remove(reservation.start)

    def complete(self, reservation: Reservation, now: float) -> None:
        """The request started with `reservation` got its response at `now`.

        A server counts a request when it arrives, somewhere between its start and its
        response. Moving the request's entry to the response time makes the log an upper
        bound of the server's, so slow first connections or queues on the way cannot make
        two arrivals closer than the window.
        """
        if now <= reservation.start:
            return
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
        if replace(info, retry_after=None) == _NO_HEADERS:
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
        info = parse_rate_limit_headers(headers, wall_now=now if wall_now is None else wall_now)
        self.record(group, info)
        decision = self.decide_hold(group, status_code, info)
        if decision is not None:
            self.hold(group, decision[0], now, decision[1])
        return decision

    def snapshot(self) -> dict[str | None, ServerQuota]:
        return dict(self._quotas)


# --------------------------------------------------------------------------- shells


@runtime_checkable
class SupportsRateLimiting(Protocol):
    """What the base client needs from a limiter (`RateLimiter`, `RedisRateLimiter`)."""

    def acquire(self, group: str | None = None) -> float: ...

    async def aacquire(self, group: str | None = None) -> float: ...

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None: ...

    def snapshot(self) -> dict[str | None, ServerQuota]: ...


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
    confirmed against the requests that really started when its wait is over.
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

    def _log_wait(self, slot: Reservation) -> None:
        self._logger.debug(
            "rate limit: waiting %.3fs before a request (group=%r): %s", slot.delay, slot.group, slot.reason
        )

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

    def acquire(self, group: str | None = None) -> float:
        """Block until a request of `group` may start; returns the seconds waited."""
        slot = self._begin(group)
        waited = 0.0
        while True:
            if slot.delay > 0:
                self._log_wait(slot)
                try:
                    self._sleep(slot.delay)
                except BaseException:
                    self._give_back(slot)
                    raise
                waited += slot.delay
            slot = self._start(slot)
            if slot.delay <= 0:
                return waited

    async def aacquire(self, group: str | None = None) -> float:
        """Async twin of `acquire`: waits with `asyncio.sleep`, never blocks the loop."""
        slot = self._begin(group)
        waited = 0.0
        while True:
            if slot.delay > 0:
                self._log_wait(slot)
                try:
                    await self._async_sleep(slot.delay)
                except BaseException:
                    self._give_back(slot)
                    raise
                waited += slot.delay
            slot = self._start(slot)
            if slot.delay <= 0:
                return waited

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
                self._policy.complete(finished, now)
            decision = self._policy.observe(group, status_code, headers, now, wall_now=self._wall_clock())
        if decision is None:
            return None
        self._logger.debug("rate limit: %s (%.3fs)", decision[1], decision[0])
        return decision[0]

    async def aobserve(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None:
        return self.observe(group, status_code, headers)

    def snapshot(self) -> dict[str | None, ServerQuota]:
        """Latest server-reported limit/remaining/reset (and Reloop quotas) per group."""
        with self._lock:
            return self._policy.snapshot()


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
