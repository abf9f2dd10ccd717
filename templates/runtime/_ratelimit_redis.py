"""Rate limiting shared across processes and machines through Redis.

`RedisRateLimiter` enforces the same sliding windows as `RateLimiter`, with the same protocol
(plan a slot, confirm it when the wait is over, anchor the request at its response), but the
logs live in Redis sorted sets and every step is one Lua script (`_ratelimit_redis_scripts.py`,
which also lists the keys), run atomically against the Redis server's own clock. Server holds
(429 `Retry-After`, `Remaining: 0`) are written to Redis as well, so one process's 429 pauses
all of them.

When Redis fails (down, or silent past `socket_timeout`) the process goes on alone, limited to
its share of every quota, and joins the others again when Redis answers (`_ratelimit_failover.py`).

Needs redis-py (`pip install redis`, or this package's `[redis]` extra). It is imported lazily,
when a limiter is created; nothing else in the package imports it.

Use one `key_prefix` per API key / account: limiters sharing a prefix share the quota.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

from ._ratelimit_redis_base import RedisLimiterBase
from ._ratelimit_redis_lifecycle import close_async, close_sync, report_soon
from ._ratelimit_redis_parts import _counted, _Down, _Left, _left, _Slot

__all__ = ["RedisRateLimiter"]


class RedisRateLimiter(RedisLimiterBase):
    """Sliding-window rate limiter whose windows are shared through Redis.

    ```python
    limiter = RedisRateLimiter(
        [RateLimit(100, 60), RateLimit(3000, 3600)],
        url="redis://localhost:6379/0",
        key_prefix="ratelimit:acme-prod",
    )
    client = Client(rate_limits=limiter)
    ```

    Same public methods as `RateLimiter`. Pass `url`, or ready-made redis-py clients (`client`
    for sync use, `async_client` for asyncio; give them a socket timeout and no retries of their
    own). Redis calls time out after `socket_timeout` (and are not retried after a timeout). With
    `fail_open=True` (default) a failed call is logged as a warning and the process limits
    itself, in-process, to its share of every quota (`requests` divided by the participants last
    seen: limiter instances that talked to Redis within `participant_ttl`), asking Redis again
    every `probe_interval` in the background; no call waits for Redis meanwhile. Server holds
    apply at once in the process that observed them and, through Redis, in every other.
    A background heartbeat (every `probe_interval`) tells the others this process still reaches
    Redis; one silent for longer than `2 x probe_interval + socket_timeout` may be going on alone,
    and the others keep its share free until it answers again or `participant_ttl` has passed.
    A request counts until its response, however long it takes (60 s at most when never
    reported). `close()` / `aclose()` leave the participants registry.
    `snapshot()` reports what this process has observed.
    """

    # ------------------------------------------------------------------ sync

    def _run_sync(
        self, group: str | None, mode: str, slot: _Slot | None = None, answered: float | None = None, member: str = ""
    ) -> Any:
        keys, args = self._call(group, mode, slot, answered, member)
        return self._sync().run(keys=keys, args=args)

    def _quiet_sync(self, group: str | None, mode: str, slot: _Slot, answered: float | None = None) -> None:
        if self._failover.current()[0] == "local":
            return
        try:
            self._run_sync(group, mode, slot, answered)
        except self._errors as exc:
            self._lost(exc)

    def _probe_soon_sync(self) -> None:
        if self._failover.want_probe():
            thread = threading.Thread(target=self._probe_sync, name="ratelimit-redis-probe", daemon=True)
            self._probe_thread = thread
            thread.start()

    def _probe_sync(self) -> None:
        try:
            self._sync().client.ping()
        except self._errors:
            self._failover.probe_failed()
            return
        # One script registers this process and writes its requests made alone: the others stop
        # keeping its share free only when those requests are in the windows.
        ages, orphans = self._failover.rejoined(self._failover.participants), self._orphans[:]
        try:
            counted = _counted(self._sync().rejoin(*self._rejoin_call(ages, orphans)))
        except self._errors as exc:
            self._lost(exc)
            return
        del self._orphans[: len(orphans)]
        if self._failover.contacted(*counted):
            report_soon(self)

    def _acquire_redis_sync(self, group: str | None, waited: float, max_wait: float | None) -> float:
        sent, member = self._clock(), self._new_member()
        try:
            slot = self._slot(group, self._run_sync(group, "reserve", member=member))
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
                held = self._hold_wait(group, waited, max_wait)
                if held > 0:
                    self._sleep(held)
                    waited += held
                if self._failover.current()[0] == "local":
                    raise _Left  # no point in asking Redis again
                sent = self._clock()
                slot = self._slot(group, self._run_sync(group, "start", slot))
        except self._errors_or_left as exc:
            self._orphans.append(member)
            raise _Down(waited, exc, sent) from exc
        self._in_flight.set(slot)
        return waited

    def acquire(self, group: str | None = None, max_wait: float | None = None) -> float:
        """Block until a request of `group` may start; returns the seconds waited. Raises
        `WaitTooLong` at once, without sleeping, when that would take more than `max_wait`."""
        previous = self._in_flight.get()
        if previous is not None:
            self._in_flight.set(None)
            self._quiet_sync(previous.group, "complete", previous, self._clock())
        waited = 0.0
        while True:
            held = self._hold_wait(group, waited, max_wait)
            if held > 0:
                self._sleep(held)
                waited += held
            state, fallback = self._failover.current()
            if fallback is not None and state == "local":
                self._probe_soon_sync()
                alone = fallback.acquire(group, _left(max_wait, waited))
                if self._still_alone(fallback):
                    return waited + self._alone(fallback, alone)
                waited += alone
                continue
            try:
                waited = self._acquire_redis_sync(group, waited, max_wait)
            except _Down as down:
                fallback, waited = self._lost(down.cause, down.sent), down.waited
                alone = fallback.acquire(group, _left(max_wait, waited))
                if self._still_alone(fallback):
                    return waited + self._alone(fallback, alone)
                waited += alone
                continue
            delay = 0.0 if fallback is None else fallback.try_acquire(group)
            if delay <= 0:
                if fallback is not None:
                    self._alone(fallback, 0.0)
                return waited
            slot = self._in_flight.get()
            self._in_flight.set(None)
            if slot is not None:
                self._quiet_sync(group, "cancel", slot)
            self._share_wait(delay, waited, max_wait, group)
            self._sleep(delay)
            waited += delay

    # ------------------------------------------------------------------ async

    async def _run_async(
        self, group: str | None, mode: str, slot: _Slot | None = None, answered: float | None = None, member: str = ""
    ) -> Any:
        keys, args = self._call(group, mode, slot, answered, member)
        return await self._async().run(keys=keys, args=args)

    async def _quiet_async(self, group: str | None, mode: str, slot: _Slot, answered: float | None = None) -> None:
        if self._failover.current()[0] == "local":
            return
        try:
            await self._run_async(group, mode, slot, answered)
        except self._errors as exc:
            self._lost(exc)

    def _probe_soon_async(self) -> None:
        if self._failover.want_probe():
            task = asyncio.ensure_future(self._probe_async())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _probe_async(self) -> None:
        try:
            await self._async().client.ping()
        except self._errors:
            self._failover.probe_failed()
            return
        ages, orphans = self._failover.rejoined(self._failover.participants), self._orphans[:]  # see _probe_sync
        try:
            counted = _counted(await self._async().rejoin(*self._rejoin_call(ages, orphans)))
        except self._errors as exc:
            self._lost(exc)
            return
        del self._orphans[: len(orphans)]
        if self._failover.contacted(*counted):
            report_soon(self)

    async def _acquire_redis_async(self, group: str | None, waited: float, max_wait: float | None) -> float:
        sent, member = self._clock(), self._new_member()
        try:
            slot = self._slot(group, await self._run_async(group, "reserve", member=member))
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
                held = self._hold_wait(group, waited, max_wait)
                if held > 0:
                    await self._async_sleep(held)
                    waited += held
                if self._failover.current()[0] == "local":
                    raise _Left  # no point in asking Redis again
                sent = self._clock()
                slot = self._slot(group, await self._run_async(group, "start", slot))
        except self._errors_or_left as exc:
            self._orphans.append(member)
            raise _Down(waited, exc, sent) from exc
        self._in_flight.set(slot)
        return waited

    async def aacquire(self, group: str | None = None, max_wait: float | None = None) -> float:
        """Async twin of `acquire` (uses redis.asyncio and `asyncio.sleep`)."""
        previous = self._in_flight.get()
        if previous is not None:
            self._in_flight.set(None)
            await self._quiet_async(previous.group, "complete", previous, self._clock())
        waited = 0.0
        while True:
            held = self._hold_wait(group, waited, max_wait)
            if held > 0:
                await self._async_sleep(held)
                waited += held
            state, fallback = self._failover.current()
            if fallback is not None and state == "local":
                self._probe_soon_async()
                alone = await fallback.aacquire(group, _left(max_wait, waited))
                if self._still_alone(fallback):
                    return waited + self._alone(fallback, alone)
                waited += alone
                continue
            try:
                waited = await self._acquire_redis_async(group, waited, max_wait)
            except _Down as down:
                fallback, waited = self._lost(down.cause, down.sent), down.waited
                alone = await fallback.aacquire(group, _left(max_wait, waited))
                if self._still_alone(fallback):
                    return waited + self._alone(fallback, alone)
                waited += alone
                continue
            delay = 0.0 if fallback is None else fallback.try_acquire(group)
            if delay <= 0:
                if fallback is not None:
                    self._alone(fallback, 0.0)
                return waited
            slot = self._in_flight.get()
            self._in_flight.set(None)
            if slot is not None:
                await self._quiet_async(group, "cancel", slot)
            self._share_wait(delay, waited, max_wait, group)
            await self._async_sleep(delay)
            waited += delay

    # ------------------------------------------------------------------ observe

    def _after(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> tuple[bool, float | None]:
        """Local part of observing a response: holds here and in the failover; True when Redis
        is to be told too."""
        seconds = self._holds.observe(group, status_code, headers)
        state, fallback = self._failover.current()
        starter = self._started_alone.get()
        if starter is not None:
            # the local limiter that started it ends it, even one Redis has replaced since
            self._started_alone.set(None)
            starter.observe(group, status_code, headers)
        if fallback is not None and fallback is not starter:
            fallback.observe(group, status_code, headers)
        return state != "local", seconds

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> float | None:
        """Digest a response: anchors the request at its response time and shares a
        resulting hold through Redis (in the background when called inside a running
        event loop; the hold applies in this process at once)."""
        answered = self._clock()
        finished = self._in_flight.get()
        if finished is not None:
            self._in_flight.set(None)
            self._holds_in_flight = True
        else:
            finished = self._answered_alone(group)
        tell_redis, seconds = self._after(group, status_code, headers)
        if not tell_redis or (finished is None and seconds is None):
            return seconds
        if self._in_loop():
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
            self._holds_in_flight = True
        else:
            finished = self._answered_alone(group)
        tell_redis, seconds = self._after(group, status_code, headers)
        if tell_redis:
            await self._after_response(group, finished, answered, seconds)
        return seconds

    async def _after_response(
        self, group: str | None, finished: _Slot | None, answered: float, seconds: float | None, mode: str = "complete"
    ) -> None:
        if finished is not None:
            await self._quiet_async(finished.group, mode, finished, answered if mode == "complete" else None)
        if seconds is not None:
            await self._share_hold_async(group, seconds)

    def failed(self, group: str | None, *, sent: bool = True) -> None:
        """The request this thread / task started ended in a transport error: `sent=False` (it
        never left the client) takes it out of the windows, else it counts as answered now
        (in the background when called inside a running event loop)."""
        answered = self._clock()
        finished = self._in_flight.get()
        if finished is not None:
            self._in_flight.set(None)
        else:
            finished = self._answered_alone(group)
        starter = self._started_alone.get()
        if starter is not None:
            self._started_alone.set(None)
            starter.failed(group, sent=sent)
        if finished is None or self._failover.current()[0] == "local":
            return
        mode = "complete" if sent else "cancel"
        if self._in_loop():
            task = asyncio.ensure_future(self._after_response(group, finished, answered, None, mode))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._quiet_sync(finished.group, mode, finished, answered if sent else None)

    def _in_loop(self) -> bool:
        """Called inside a running event loop with an asyncio client at hand: Redis is told in
        a background task."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return self._async_client is not None or self._url is not None

    def _share_hold_sync(self, group: str | None, seconds: float) -> None:
        try:
            self._sync().hold(keys=[self._hold_key(group)], args=[repr(seconds)])
        except self._errors as exc:
            self._lost(exc)

    async def _share_hold_async(self, group: str | None, seconds: float) -> None:
        try:
            await self._async().hold(keys=[self._hold_key(group)], args=[repr(seconds)])
        except self._errors as exc:
            self._lost(exc)

    def close(self) -> None:
        """Stop the heartbeats, wait for a background probe, leave the participants registry,
        then close the sync client if this limiter created it."""
        close_sync(self)

    async def aclose(self) -> None:
        """Wait for Redis updates still running in the background, stop the heartbeats, leave
        the participants registry, then close the asyncio client of the running loop if this
        limiter created it."""
        await close_async(self)
