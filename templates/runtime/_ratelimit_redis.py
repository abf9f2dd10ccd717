"""Rate limiting shared across processes and machines through Redis.

`RedisRateLimiter` enforces the same sliding windows as `RateLimiter`, with the same
protocol (plan a slot, confirm it when the wait is over, anchor the request at its response),
but the logs live in Redis sorted sets and every step is one Lua script, run atomically
against the Redis server's own clock (`TIME`), so the clocks of the client machines do not
matter. Server holds (429 `Retry-After`, `Remaining: 0`) are written to Redis as well, so one
process's 429 pauses all of them.

Needs redis-py (`pip install redis`, or this package's `[redis]` extra). It is imported
lazily, when a limiter is created; nothing else in the package imports it.

Keys (all in one Redis Cluster hash slot, `{<key_prefix>}`):

* `{prefix}:w:<scope>:<requests>/<per>`: sorted set of every request the window knows of
  (planned slots, starts, responses), one member per request, score on the Redis clock;
* `{prefix}:s:<scope>:<requests>/<per>`: the requests that really started (score: start,
  then response time);
* `{prefix}:hold:<scope>`: hold-until on the Redis clock;
* `{prefix}:seq`: counter that makes members unique.

Use one `key_prefix` per API key / account: limiters sharing a prefix share the quota.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import math
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from ._ratelimit import RateLimit, RateLimiter, ServerQuota, default_margin, log_wait
from ._ratelimit_policy import WaitTooLong, check_wait

__all__ = ["RedisRateLimiter"]

# KEYS: seq, hold keys (ARGV[2] of them), then per window: planned log, started log.
# ARGV: mode (reserve | start | complete | cancel), number of hold keys, member, planned
# start (start) or seconds since the response (complete), then per window: requests, span
# (seconds, margin included).
# reserve / start return {delay, start, member, reason, started}: numbers as strings,
# reason -i for hold key i, +w for window w, 0 for none; started 1 when the request may go.
_SCRIPT = """
local mode = ARGV[1]
local holds = tonumber(ARGV[2])
local member = ARGV[3]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local count = (#KEYS - 1 - holds) / 2

local function fmt(x) return string.format('%.17g', x) end
local function wkey(w) return KEYS[holds + 2 * w] end
local function skey(w) return KEYS[holds + 2 * w + 1] end
local function size(w) return tonumber(ARGV[3 + 2 * w]) end
local function span(w) return tonumber(ARGV[4 + 2 * w]) end

for w = 1, count do
  local cut = fmt(now - span(w))
  redis.call('ZREMRANGEBYSCORE', wkey(w), '-inf', cut)
  redis.call('ZREMRANGEBYSCORE', skey(w), '-inf', cut)
end

local function expire(w, t)
  local ms = math.ceil((t - now + span(w)) * 1000) + 1000
  for _, key in ipairs({wkey(w), skey(w)}) do
    if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
  end
end

local function place(t, started)
  for w = 1, count do
    redis.call('ZADD', wkey(w), fmt(t), member)
    if started then redis.call('ZADD', skey(w), fmt(t), member) end
    expire(w, t)
  end
end

local function hold_until(t)
  local best, which = t, 0
  for i = 1, holds do
    local v = tonumber(redis.call('GET', KEYS[1 + i]) or '')
    if v and v > best then best, which = v, i end
  end
  return best, which
end

-- earliest time >= t at which one more entry keeps every interval of `sp` at n or fewer
local function earliest(xs, n, sp, t)
  local m = #xs
  if m < n then return t end
  if t >= xs[m] then
    local b = xs[m - n + 1] + sp
    if b > t then return b end
    return t
  end
  local i = 1
  while i <= m - n + 1 do
    local first, last = xs[i], xs[i + n - 1]
    if last - sp >= t then break end
    if last - first < sp and t < first + sp then t = first + sp end
    i = i + 1
  end
  return t
end

-- earliest time >= t at which fewer than n started requests lie within `span` before it
local function start_time(w, t)
  local n, sp = size(w), span(w)
  if redis.call('ZCOUNT', skey(w), '(' .. fmt(t - sp), '+inf') < n then return t end
  local nth = redis.call('ZREVRANGE', skey(w), n - 1, n - 1, 'WITHSCORES')
  local b = tonumber(nth[2]) + sp
  if b > t then return b end
  return t
end

local function settle(t)
  local reason, changed = 0, true
  while changed do
    changed = false
    local h, which = hold_until(t)
    if which > 0 and h > t + 1e-9 then t, reason, changed = h, -which, true end
    for w = 1, count do
      local later = start_time(w, t)
      if later > t + 1e-9 then t, reason, changed = later, w, true end
    end
  end
  return t, reason
end

if mode == 'reserve' then
  member = fmt(now) .. ':' .. redis.call('INCR', KEYS[1])
  local t, reason = hold_until(now)
  if reason > 0 then reason = -reason end
  local logs = {}
  for w = 1, count do
    local raw = redis.call('ZRANGE', wkey(w), 0, -1, 'WITHSCORES')
    local xs = {}
    for j = 2, #raw, 2 do xs[#xs + 1] = tonumber(raw[j]) end
    logs[w] = xs
  end
  local changed = true
  while changed do
    changed = false
    for w = 1, count do
      local later = earliest(logs[w], size(w), span(w), t)
      if later > t then t, reason, changed = later, w, true end
    end
  end
  if t <= now then
    local settled, why = settle(now)
    if settled <= now then
      place(now, true)
      return {'0', fmt(now), member, 0, 1}
    end
    t, reason = settled, why
  end
  place(t, false)
  return {fmt(t - now), fmt(t), member, reason, 0}
elseif mode == 'start' then
  local at = math.max(now, tonumber(ARGV[4]))
  local t, reason = settle(at)
  if t > at then
    place(t, false)
    return {fmt(t - at), fmt(t), member, reason, 0}
  end
  place(at, true)
  return {'0', fmt(at), member, 0, 1}
elseif mode == 'complete' then
  -- ARGV[4]: how long ago the response arrived (measured by the client, so skew-free)
  local answered = now - math.max(0, tonumber(ARGV[4]))
  for w = 1, count do
    local s = redis.call('ZSCORE', skey(w), member)
    if s and answered > tonumber(s) then
      redis.call('ZADD', skey(w), fmt(answered), member)
      redis.call('ZADD', wkey(w), fmt(answered), member)
      expire(w, answered)
    end
  end
  return 1
elseif mode == 'cancel' then
  for w = 1, count do
    redis.call('ZREM', wkey(w), member)
    redis.call('ZREM', skey(w), member)
  end
  return 1
end
return redis.error_reply('unknown mode ' .. tostring(mode))
"""

# KEYS: hold key. ARGV: seconds. Extends the hold (never shortens it); returns hold-until.
_HOLD = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local seconds = tonumber(ARGV[1])
local target = now + seconds
local current = tonumber(redis.call('GET', KEYS[1]) or '')
if current == nil or target > current then
  redis.call('SET', KEYS[1], string.format('%.17g', target), 'PX', math.ceil(seconds * 1000) + 1000)
  return string.format('%.17g', target)
end
return string.format('%.17g', current)
"""


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        msg = "RedisRateLimiter needs redis-py: pip install redis (or install this package with its [redis] extra)"
        raise ImportError(msg) from exc


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class _Slot:
    group: str | None
    delay: float
    start: float  # on the Redis clock
    member: str
    reason: str
    started: bool


@dataclass(frozen=True)
class _Plan:
    keys: list[str]  # seq, holds, then (planned, started) per window
    holds: int
    window_args: list[str]


class _Scripts:
    """The scripts registered on one redis-py client (sync or asyncio)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.run = client.register_script(_SCRIPT)
        self.hold = client.register_script(_HOLD)


class RedisRateLimiter:
    """Sliding-window rate limiter whose windows are shared through Redis.

    ```python
    limiter = RedisRateLimiter(
        [RateLimit(100, 60), RateLimit(3000, 3600)],
        url="redis://localhost:6379/0",
        key_prefix="ratelimit:acme-prod",
    )
    client = Client(rate_limits=limiter)
    ```

    Same public methods as `RateLimiter`. Pass `url`, or ready-made redis-py clients
    (`client` for sync use, `async_client` for asyncio). With `fail_open=True` (default) a
    Redis outage is logged as a warning and the process falls back to an in-process limiter
    with the same limits instead of failing the API call. Server holds apply at once in the
    process that observed them and, through Redis, in every other. `snapshot()` reports what
    this process has observed.
    """

    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        url: str | None = None,
        client: Any = None,
        async_client: Any = None,
        key_prefix: str = "ratelimit",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
        async_sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        logger: logging.Logger | None = None,
        margin: float | None = None,
        default_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_hold: float = 3600.0,
        fail_open: bool = True,
        socket_timeout: float = 5.0,
    ) -> None:
        if not key_prefix:
            msg = "key_prefix must be a non-empty string"
            raise ValueError(msg)
        self._local = RateLimiter(
            limits,
            clock=clock,
            wall_clock=wall_clock,
            sleep=sleep,
            async_sleep=async_sleep,
            logger=logger,
            margin=margin,
            default_backoff=default_backoff,
            max_backoff=max_backoff,
            max_hold=max_hold,
        )
        self._logger = self._local.logger
        self._limits = self._local.limits
        self._spans = [item.per + (default_margin(item.per) if margin is None else margin) for item in self._limits]
        self._prefix = "{" + key_prefix + "}"
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._fail_open = fail_open
        self._socket_timeout = socket_timeout
        if url is None and client is None and async_client is None:
            url = "redis://localhost:6379/0"
        self._url = url
        self._redis = _import("redis")
        self._errors: tuple[type[BaseException], ...] = (self._redis.exceptions.RedisError, OSError)
        self._client = client
        self._async_client = async_client
        self._sync_scripts: _Scripts | None = None
        self._async_scripts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Scripts] = (
            weakref.WeakKeyDictionary()
        )
        self._init_lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_warning = -math.inf
        self._plans: dict[str | None, _Plan] = {}
        self._in_flight: ContextVar[_Slot | None] = ContextVar(f"{__name__}.in_flight.{id(self)}", default=None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._limits)!r}, key_prefix={self._prefix!r})"

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        return self._limits

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    # ------------------------------------------------------------------ redis plumbing

    def _sync(self) -> _Scripts:
        scripts = self._sync_scripts
        if scripts is None:
            with self._init_lock:
                if self._sync_scripts is None:
                    client = self._client
                    if client is None:
                        if self._url is None:
                            msg = "RedisRateLimiter has no sync client: pass url or client"
                            raise RuntimeError(msg)
                        client = self._redis.Redis.from_url(
                            self._url,
                            socket_timeout=self._socket_timeout,
                            socket_connect_timeout=self._socket_timeout,
                        )
                        self._client = client
                    self._sync_scripts = _Scripts(client)
                scripts = self._sync_scripts
        return scripts

    def _async(self) -> _Scripts:
        loop = asyncio.get_running_loop()
        scripts = self._async_scripts.get(loop)
        if scripts is None:
            client = self._async_client
            if client is None:
                if self._url is None:
                    msg = "RedisRateLimiter has no asyncio client: pass url or async_client"
                    raise RuntimeError(msg)
                client = _import("redis.asyncio").Redis.from_url(
                    self._url,
                    socket_timeout=self._socket_timeout,
                    socket_connect_timeout=self._socket_timeout,
                )
            scripts = _Scripts(client)
            self._async_scripts[loop] = scripts
        return scripts

    def _scope(self, group: str | None) -> str:
        return "*" if group is None else f"g:{group}"

    def _hold_key(self, group: str | None) -> str:
        return f"{self._prefix}:hold:{self._scope(group)}"

    def _plan(self, group: str | None) -> _Plan:
        """Keys and window arguments for an operation of `group`."""
        plan = self._plans.get(group)
        if plan is None:
            holds = [self._hold_key(None)]
            if group is not None:
                holds.append(self._hold_key(group))
            keys = [f"{self._prefix}:seq", *holds]
            args: list[str] = []
            for item, span in zip(self._limits, self._spans, strict=True):
                if item.group is None or item.group == group:
                    name = f"{self._scope(item.group)}:{item.requests}/{item.per!r}"
                    keys += [f"{self._prefix}:w:{name}", f"{self._prefix}:s:{name}"]
                    args += [str(item.requests), repr(span)]
            plan = _Plan(keys=keys, holds=len(holds), window_args=args)
            self._plans[group] = plan
        return plan

    def _call(
        self, group: str | None, mode: str, slot: _Slot | None = None, answered: float | None = None
    ) -> tuple[list[str], list[str]]:
        plan = self._plan(group)
        member = "" if slot is None else slot.member
        if answered is not None:
            extra = repr(max(0.0, self._clock() - answered))  # complete: age of the response
        else:
            extra = "0" if slot is None else repr(slot.start)  # start: the planned slot
        return plan.keys, [mode, str(plan.holds), member, extra, *plan.window_args]

    def _reason(self, group: str | None, code: int) -> str:
        if code < 0:
            scope = "all operations" if code == -1 else f"group {group!r}"
            return f"server hold on {scope} (shared through Redis)"
        if code > 0:
            applicable = [item for item in self._limits if item.group is None or item.group == group]
            return f"window {applicable[code - 1].describe()} (shared through Redis)"
        return ""

    def _slot(self, group: str | None, raw: Sequence[object]) -> _Slot:
        slot = _Slot(
            group=group,
            delay=max(0.0, float(_text(raw[0]))),
            start=float(_text(raw[1])),
            member=_text(raw[2]),
            reason=self._reason(group, int(_text(raw[3]))),
            started=int(_text(raw[4])) == 1,
        )
        return slot

    def _failed(self, exc: BaseException) -> None:
        if not self._fail_open:
            raise exc
        now = time.monotonic()
        if now - self._last_warning > 30.0:
            self._last_warning = now
            self._logger.warning("rate limit: Redis unavailable (%s); limiting this process only", exc)

    def _local_hold(self, group: str | None, waited: float, max_wait: float | None) -> float:
        # A hold observed here may not have reached Redis yet (shared in the background).
        seconds = self._local.hold_remaining(group)
        if seconds > 0:
            reason = "server hold observed here"
            check_wait(seconds, waited, max_wait, group, reason)
            log_wait(self._logger, seconds, group, reason)
        return seconds

    def _slot_wait(self, slot: _Slot, waited: float, max_wait: float | None) -> WaitTooLong | None:
        """The refusal to raise (after giving the slot back) when waiting for `slot` is too long."""
        try:
            check_wait(slot.delay, waited, max_wait, slot.group, slot.reason)
        except WaitTooLong as refused:
            return refused
        log_wait(self._logger, slot.delay, slot.group, slot.reason)
        return None

    # ------------------------------------------------------------------ sync

    def _run_sync(self, group: str | None, mode: str, slot: _Slot | None = None, answered: float | None = None) -> Any:
        keys, args = self._call(group, mode, slot, answered)
        return self._sync().run(keys=keys, args=args)

    def _quiet_sync(self, group: str | None, mode: str, slot: _Slot, answered: float | None = None) -> None:
        try:
            self._run_sync(group, mode, slot, answered)
        except self._errors as exc:
            self._failed(exc)

    def acquire(self, group: str | None = None, max_wait: float | None = None) -> float:
        """Block until a request of `group` may start; returns the seconds waited. Raises
        `WaitTooLong` at once, without sleeping, when that would take more than `max_wait`."""
        previous = self._in_flight.get()
        if previous is not None:
            self._in_flight.set(None)
            self._quiet_sync(previous.group, "complete", previous, self._clock())
        waited = 0.0
        held = self._local_hold(group, waited, max_wait)
        if held > 0:
            self._sleep(held)
            waited += held
        try:
            slot = self._slot(group, self._run_sync(group, "reserve"))
            while not slot.started:
                refused = self._slot_wait(slot, waited, max_wait)
                if refused is not None:
                    self._quiet_sync(group, "cancel", slot)
                    raise refused
                try:
                    self._sleep(slot.delay)
                except BaseException:
                    self._quiet_sync(group, "cancel", slot)
                    raise
                waited += slot.delay
                held = self._local_hold(group, waited, max_wait)
                if held > 0:
                    self._sleep(held)
                    waited += held
                slot = self._slot(group, self._run_sync(group, "start", slot))
        except self._errors as exc:
            self._failed(exc)
            return waited + self._local.acquire(group, None if max_wait is None else max_wait - waited)
        self._in_flight.set(slot)
        return waited

    # ------------------------------------------------------------------ async

    async def _run_async(
        self, group: str | None, mode: str, slot: _Slot | None = None, answered: float | None = None
    ) -> Any:
        keys, args = self._call(group, mode, slot, answered)
        return await self._async().run(keys=keys, args=args)

    async def _quiet_async(self, group: str | None, mode: str, slot: _Slot, answered: float | None = None) -> None:
        try:
            await self._run_async(group, mode, slot, answered)
        except self._errors as exc:
            self._failed(exc)

    async def aacquire(self, group: str | None = None, max_wait: float | None = None) -> float:
        """Async twin of `acquire` (uses redis.asyncio and `asyncio.sleep`)."""
        previous = self._in_flight.get()
        if previous is not None:
            self._in_flight.set(None)
            await self._quiet_async(previous.group, "complete", previous, self._clock())
        waited = 0.0
        held = self._local_hold(group, waited, max_wait)
        if held > 0:
            await self._async_sleep(held)
            waited += held
        try:
            slot = self._slot(group, await self._run_async(group, "reserve"))
            while not slot.started:
                refused = self._slot_wait(slot, waited, max_wait)
                if refused is not None:
                    await self._quiet_async(group, "cancel", slot)
                    raise refused
                try:
                    await self._async_sleep(slot.delay)
                except BaseException:
                    await self._quiet_async(group, "cancel", slot)
                    raise
                waited += slot.delay
                held = self._local_hold(group, waited, max_wait)
                if held > 0:
                    await self._async_sleep(held)
                    waited += held
                slot = self._slot(group, await self._run_async(group, "start", slot))
        except self._errors as exc:
            self._failed(exc)
            return waited + await self._local.aacquire(group, None if max_wait is None else max_wait - waited)
        self._in_flight.set(slot)
        return waited

    # ------------------------------------------------------------------ observe

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None:
        """Digest a response: anchors the request at its response time and shares a
        resulting hold through Redis (in the background when called inside a running
        event loop; the hold applies in this process at once)."""
        answered = self._clock()
        finished = self._in_flight.get()
        if finished is not None:
            self._in_flight.set(None)
        seconds = self._local.observe(group, status_code, headers)
        if finished is None and seconds is None:
            return seconds
        try:
            asyncio.get_running_loop()
            background = self._async_client is not None or self._url is not None
        except RuntimeError:
            background = False
        if background:
            task = asyncio.ensure_future(self._after_response(group, finished, answered, seconds))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return seconds
        if finished is not None:
            self._quiet_sync(finished.group, "complete", finished, answered)
        if seconds is not None:
            self._share_hold_sync(group, seconds)
        return seconds

    async def aobserve(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None:
        """Async twin of `observe`: the Redis updates are done before it returns."""
        answered = self._clock()
        finished = self._in_flight.get()
        if finished is not None:
            self._in_flight.set(None)
        seconds = self._local.observe(group, status_code, headers)
        await self._after_response(group, finished, answered, seconds)
        return seconds

    async def _after_response(
        self, group: str | None, finished: _Slot | None, answered: float, seconds: float | None
    ) -> None:
        if finished is not None:
            await self._quiet_async(finished.group, "complete", finished, answered)
        if seconds is not None:
            await self._share_hold_async(group, seconds)

    def _share_hold_sync(self, group: str | None, seconds: float) -> None:
        try:
            self._sync().hold(keys=[self._hold_key(group)], args=[repr(seconds)])
        except self._errors as exc:
            self._failed(exc)

    async def _share_hold_async(self, group: str | None, seconds: float) -> None:
        try:
            await self._async().hold(keys=[self._hold_key(group)], args=[repr(seconds)])
        except self._errors as exc:
            self._failed(exc)

    def snapshot(self) -> dict[str | None, ServerQuota]:
        """Latest server-reported figures observed by this process, per group."""
        return self._local.snapshot()

    # ------------------------------------------------------------------ lifecycle

    def ping(self) -> None:
        """Connect to Redis now (raises if it is unreachable)."""
        self._sync().client.ping()

    async def aping(self) -> None:
        """Async twin of `ping`."""
        await self._async().client.ping()

    def reset(self) -> None:
        """Delete this limiter's keys from Redis (windows, holds, counter)."""
        client = self._sync().client
        keys = list(client.scan_iter(match=f"{self._prefix}:*"))
        if keys:
            client.delete(*keys)

    def close(self) -> None:
        """Close the sync client if this limiter created it."""
        if self._url is not None and self._sync_scripts is not None:
            self._sync_scripts.client.close()
            self._sync_scripts = None
            self._client = None

    async def aclose(self) -> None:
        """Wait for Redis updates still running in the background, then close the asyncio
        client of the running loop if this limiter created it."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        loop = asyncio.get_running_loop()
        scripts = self._async_scripts.pop(loop, None)
        if scripts is not None and self._async_client is None:
            await scripts.client.aclose()
