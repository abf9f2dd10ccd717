"""The Redis plumbing of `RedisRateLimiter` (`_ratelimit_redis.py`): settings, clients, keys,
script arguments and replies, and what to do when Redis fails. The scripts and the keys they use
are in `_ratelimit_redis_scripts.py`; the outage logic is in `_ratelimit_failover.py`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import threading
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any

from ._ratelimit import RateLimit, RateLimiter, ServerQuota, default_margin, log_wait
from ._ratelimit_failover import Failover, State
from ._ratelimit_policy import RateLimitPolicy, WaitTooLong, check_wait
from ._ratelimit_redis_lifecycle import report_soon, start_beats
from ._ratelimit_redis_parts import _WARN_EVERY, _import, _Left, _Plan, _Scripts, _Slot, _text


class RedisLimiterBase:
    """Everything of `RedisRateLimiter` but acquiring and observing."""

    def _probe_sync(self) -> None:
        raise NotImplementedError  # RedisRateLimiter's

    async def _probe_async(self) -> None:
        raise NotImplementedError  # RedisRateLimiter's

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
        socket_timeout: float = 1.0,
        probe_interval: float = 1.0,
        participant_ttl: float = 60.0,
    ) -> None:
        if not key_prefix:
            msg = "key_prefix must be a non-empty string"
            raise ValueError(msg)
        for name, value in (
            ("socket_timeout", socket_timeout),
            ("probe_interval", probe_interval),
            ("participant_ttl", participant_ttl),
        ):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                msg = f"{name} must be a positive number of seconds, got {value!r}"
                raise ValueError(msg)
        # Holds and snapshots of this process; windows live in Redis (or in the failover).
        self._holds = RateLimiter(
            [],
            clock=clock,
            wall_clock=wall_clock,
            logger=logger,
            default_backoff=default_backoff,
            max_backoff=max_backoff,
            max_hold=max_hold,
        )
        self._logger = self._holds.logger
        self._limits = RateLimitPolicy(limits).limits
        self._spans = [item.per + (default_margin(item.per) if margin is None else margin) for item in self._limits]
        # A participant silent for longer than this may have lost Redis: heartbeats come every
        # probe_interval and take up to socket_timeout; one may be late.
        self._quiet = 2 * probe_interval + socket_timeout
        self._failover = Failover(
            self._limits,
            margin=margin,
            clock=clock,
            sleep=sleep,
            async_sleep=async_sleep,
            logger=self._logger,
            probe_interval=float(probe_interval),
            rejoin_after=self._quiet,
            quiet=self._quiet,
            participant_ttl=float(participant_ttl),
            lookahead=socket_timeout + probe_interval,
            default_backoff=default_backoff,
            max_backoff=max_backoff,
            max_hold=max_hold,
        )
        self._prefix = "{" + key_prefix + "}"
        self._id = uuid.uuid4().hex
        self._ttl = float(participant_ttl)
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._fail_open = fail_open
        self._socket_timeout = float(socket_timeout)
        if url is None and client is None and async_client is None:
            url = "redis://localhost:6379/0"
        self._url = url
        self._redis = _import("redis")
        self._errors: tuple[type[BaseException], ...] = (self._redis.exceptions.RedisError, OSError)
        self._errors_or_left: tuple[type[BaseException], ...] = (*self._errors, _Left)
        self._client = client
        self._async_client = async_client
        self._sync_scripts: _Scripts | None = None
        self._async_scripts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Scripts] = (
            weakref.WeakKeyDictionary()
        )
        self._init_lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._probe_thread: threading.Thread | None = None
        self._beat_thread: threading.Thread | None = None
        self._beat_task: asyncio.Task[None] | None = None  # heartbeats of a limiter with an asyncio client only
        self._beat_stop = threading.Event()
        # Wakes the heartbeats early (`report_soon`); the task's own event, on its loop, when they are a task.
        self._beat_wake = threading.Event()
        self._beat_wake_async: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        # Set by the first response reported (observe): from then on a request counts until it
        # is answered, not only for a window from its start.
        self._holds_in_flight = False
        self._last_warning = -math.inf
        self._plans: dict[str | None, _Plan] = {}
        self._members = itertools.count()
        # Members of reserve / start calls that failed: Redis may still have run them (a paused
        # Redis runs what it had received when it resumes); the rejoin removes them.
        self._orphans: list[str] = []
        self._in_flight: ContextVar[_Slot | None] = ContextVar(f"{__name__}.in_flight.{id(self)}", default=None)
        # The local limiter that started this thread's / task's request, if one did.
        self._started_alone: ContextVar[RateLimiter | None] = ContextVar(
            f"{__name__}.started_alone.{id(self)}", default=None
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._limits)!r}, key_prefix={self._prefix!r})"

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        return self._limits

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    @property
    def state(self) -> State:
        """`shared` (Redis decides), `local` (Redis failed: this process's share only) or
        `rejoining` (Redis is back; both must allow a start for a little while)."""
        return self._failover.current()[0]

    @property
    def participants(self) -> int:
        """Limiter instances sharing the quota, as last seen in Redis (0 before the first call)."""
        return self._failover.participants

    @property
    def outages(self) -> int:
        """How many times this limiter lost Redis and went on alone."""
        return self._failover.outages

    # ------------------------------------------------------------------ redis plumbing

    def _options(self, asyncio_client: bool) -> dict[str, Any]:
        # Set explicitly (redis.Redis(...) of redis-py 6+ would retry 10 times, with backoff): a
        # command that timed out is never retried; one that found its pooled connection closed
        # (Redis restarted) is retried once, at once, on a new connection.
        retry = _import("redis.asyncio.retry" if asyncio_client else "redis.retry").Retry
        once = retry(_import("redis.backoff").NoBackoff(), 1, (self._redis.exceptions.ConnectionError,))
        return {"socket_timeout": self._socket_timeout, "socket_connect_timeout": self._socket_timeout, "retry": once}

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
                        client = self._redis.Redis.from_url(self._url, **self._options(False))
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
                client = _import("redis.asyncio").Redis.from_url(self._url, **self._options(True))
            scripts = _Scripts(client)
            self._async_scripts[loop] = scripts
        return scripts

    def _scope(self, group: str | None) -> str:
        return "*" if group is None else f"g:{group}"

    def _hold_key(self, group: str | None) -> str:
        return f"{self._prefix}:hold:{self._scope(group)}"

    def _window_keys(self, item: RateLimit) -> list[str]:
        """Planned log, started log, in flight."""
        name = f"{self._scope(item.group)}:{item.requests}/{item.per!r}"
        return [f"{self._prefix}:w:{name}", f"{self._prefix}:s:{name}", f"{self._prefix}:f:{name}"]

    def _registry_keys(self) -> list[str]:
        return [f"{self._prefix}:members", f"{self._prefix}:shares"]

    def _plan(self, group: str | None) -> _Plan:
        """Keys and window arguments for an operation of `group`."""
        plan = self._plans.get(group)
        if plan is None:
            holds = [self._hold_key(None)]
            if group is not None:
                holds.append(self._hold_key(group))
            keys = [f"{self._prefix}:seq", *self._registry_keys(), *holds]
            args: list[str] = []
            indices: list[int] = []
            for index, (item, span) in enumerate(zip(self._limits, self._spans, strict=True)):
                if item.group is None or item.group == group:
                    keys += self._window_keys(item)
                    args += [str(item.requests), repr(span)]
                    indices.append(index)
            plan = _Plan(keys=keys, holds=len(holds), window_args=args, indices=indices)
            self._plans[group] = plan
        return plan

    def _call(
        self, group: str | None, mode: str, slot: _Slot | None = None, answered: float | None = None, member: str = ""
    ) -> tuple[list[str], list[str]]:
        plan = self._plan(group)
        member = member if slot is None else slot.member
        if answered is not None:
            extra = repr(max(0.0, self._clock() - answered))  # complete: age of the response
        else:
            extra = "0" if slot is None else repr(slot.start)  # start: the planned slot
        lookahead = repr(self._failover.lookahead)
        return plan.keys, [
            mode,
            str(plan.holds),
            member,
            extra,
            self._id,
            repr(self._ttl),
            lookahead,
            repr(self._quiet),
            "1" if self._holds_in_flight else "0",
            self._divisor(),
            *plan.window_args,
        ]

    def _divisor(self) -> str:
        """The scripts' `divisor`: what to keep free if it falls silent (fail_open=False: nothing)."""
        return self._failover.held() if self._fail_open else "0"

    def _new_member(self) -> str:
        """A member for a reserve call: chosen here, so a call whose reply never came can be
        cancelled later (`_orphans`)."""
        return f"{self._id[:12]}:{next(self._members)}"

    def _rejoin_call(
        self, ages: Sequence[Sequence[tuple[float, str]]], orphans: Sequence[str]
    ) -> tuple[list[str], list[str]]:
        keys = [f"{self._prefix}:seq", *self._registry_keys()]
        args = [self._id, repr(self._ttl), self._divisor(), ",".join(orphans)]
        for index, (item, span) in enumerate(zip(self._limits, self._spans, strict=True)):
            keys += self._window_keys(item)
            args += [repr(span), ",".join(f"{age!r}@{key}" if key else repr(age) for age, key in ages[index])]
        return keys, args

    def _reason(self, group: str | None, code: int) -> str:
        if code < 0:
            scope = "all operations" if code == -1 else f"group {group!r}"
            return f"server hold on {scope} (shared through Redis)"
        if code > 0:
            applicable = [item for item in self._limits if item.group is None or item.group == group]
            return f"window {applicable[code - 1].describe()} (shared through Redis)"
        return ""

    def _slot(self, group: str | None, raw: Sequence[object]) -> _Slot:
        views = [_text(v) for v in raw[7:]]
        if self._failover.saw(int(_text(raw[5])), self._plan(group).indices, views, float(_text(raw[6]))):
            report_soon(self)
        start_beats(self)
        return _Slot(
            group=group,
            delay=max(0.0, float(_text(raw[0]))),
            start=float(_text(raw[1])),
            member=_text(raw[2]),
            reason=self._reason(group, int(_text(raw[3]))),
            started=int(_text(raw[4])) == 1,
        )

    def _lost(self, exc: BaseException, sent: float | None = None) -> RateLimiter:
        """Redis failed a call sent at `sent` (default: now): go on alone (or raise, with
        fail_open=False); returns the local limiter."""
        if not self._fail_open:
            raise exc
        if self._failover.failed(self._clock() if sent is None else sent) or not isinstance(exc, _Left):
            now = time.monotonic()
            level = logging.DEBUG
            if self._failover.outages and now - self._last_warning > _WARN_EVERY:
                level, self._last_warning = logging.WARNING, now
            self._logger.log(
                level,
                "rate limit: Redis unavailable (%s); limiting this process to 1/%d of each quota until it answers",
                exc if str(exc) else type(exc).__name__,
                self._failover.share_of,
            )
        fallback = self._failover.current()[1]
        assert fallback is not None
        if self._holds_in_flight:
            fallback.hold_in_flight()  # responses are reported: alone too, a request counts until then
        return fallback

    def _alone(self, fallback: RateLimiter, waited: float) -> float:
        """`fallback` started this thread's / task's request: it is the one to tell the response."""
        self._started_alone.set(fallback)
        return waited

    def _still_alone(self, fallback: RateLimiter) -> bool:
        """`fallback` has just allowed a start: is it still the one to decide? Once a probe has
        rejoined, the others count on the whole quota less what Redis holds, and Redis holds
        only the requests that had started by then: a start needs its consent again, so this
        one is withdrawn (the caller asks Redis)."""
        if self._failover.current() == ("local", fallback):
            return True
        fallback.withdraw()
        return False

    def _answered_alone(self, group: str | None) -> _Slot | None:
        """The Redis member of this thread's / task's request when it was started alone and was
        still in flight when the process rejoined (its response ends it in Redis too)."""
        starter = self._started_alone.get()
        start = None if starter is None else starter.in_flight_start()
        key = None if start is None else self._failover.answered_alone(start)
        if key is None:
            return None
        return _Slot(group=group, delay=0.0, start=0.0, member=f"r:{self._id}:{key}", reason="", started=True)

    def _hold_wait(self, group: str | None, waited: float, max_wait: float | None) -> float:
        """Seconds to wait for a hold observed here (it may not have reached Redis yet)."""
        seconds = self._holds.hold_remaining(group)
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

    def _share_wait(self, delay: float, waited: float, max_wait: float | None, group: str | None) -> None:
        reason = "this process's share of the quota, until every process has rejoined Redis"
        check_wait(delay, waited, max_wait, group, reason)
        log_wait(self._logger, delay, group, reason)

    def snapshot(self) -> dict[str | None, ServerQuota]:
        """Latest server-reported figures observed by this process, per group."""
        return self._holds.snapshot()

    # ------------------------------------------------------------------ lifecycle

    def ping(self) -> None:
        """Connect to Redis now (raises if it is unreachable)."""
        self._sync().client.ping()

    async def aping(self) -> None:
        """Async twin of `ping`."""
        await self._async().client.ping()

    def reset(self) -> None:
        """Delete this limiter's keys from Redis (windows, holds, participants, counter)."""
        client = self._sync().client
        keys = list(client.scan_iter(match=f"{self._prefix}:*"))
        if keys:
            client.delete(*keys)
