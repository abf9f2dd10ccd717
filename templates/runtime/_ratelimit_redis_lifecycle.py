"""The Redis limiter's life around its calls (`_ratelimit_redis_base.py`): the heartbeat thread,
leaving the participants registry, and closing."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from typing import TYPE_CHECKING, Any

from ._ratelimit_redis_parts import _counted

if TYPE_CHECKING:
    from ._ratelimit_redis_base import RedisLimiterBase


def start_beats(limiter: RedisLimiterBase) -> None:
    """Start the heartbeats once Redis has answered: a daemon thread when a sync client can be
    had, else a task on the running event loop; an idle process then never looks as if it had
    lost Redis."""
    if limiter._client is None and limiter._url is None:
        _start_async_beats(limiter)
        return
    if limiter._beat_thread is not None:
        return
    _leave_when_gone(limiter)
    with limiter._init_lock:
        if limiter._beat_thread is not None or limiter._beat_stop.is_set():
            return
        thread = threading.Thread(
            target=_beat_loop,
            args=(weakref.ref(limiter), limiter._beat_stop, limiter._beat_wake, limiter._failover.probe_interval),
            name="ratelimit-redis-heartbeat",
            daemon=True,
        )
        limiter._beat_thread = thread
    thread.start()


def _leave_when_gone(limiter: RedisLimiterBase) -> None:
    """A limiter nobody closed leaves the registry when it is collected or the interpreter exits
    (a script that ends without `close()`): else the others keep its share free until its
    registration expires, all of the quota when it had joined alone."""
    members, shares = limiter._registry_keys()
    weakref.finalize(
        limiter,
        _leave,
        (limiter._client, limiter._url, limiter._options(False), limiter._redis),
        (members, shares, limiter._id),
        limiter._errors,
        limiter._beat_stop,
        limiter._failover,
    )


def _leave(
    connect: tuple[Any, str | None, dict[str, Any], Any],
    keys: tuple[str, str, str],
    errors: tuple[type[BaseException], ...],
    closed: threading.Event,
    failover: Any,
) -> None:
    client, url, options, redis = connect
    members, shares, member = keys
    if closed.is_set() or failover.current()[0] == "local":  # closed (and left), or Redis is away
        return
    own = client is None
    try:
        client = redis.Redis.from_url(url, **options) if own else client
        client.zrem(members, member)
        client.hdel(shares, member)
        if own:
            client.close()
    except errors:
        pass


def report_soon(limiter: RedisLimiterBase) -> None:
    """This limiter has taken a reply counting more participants than it held: beat now, not in
    up to `probe_interval`, for until a call tells Redis, the others keep free for it the larger
    share it held (all of the quota when it had joined alone). With fail_open=False nothing is."""
    if not limiter._fail_open:
        return
    limiter._beat_wake.set()
    waiting = limiter._beat_wake_async
    if waiting is not None:
        loop, wake = waiting
        with contextlib.suppress(RuntimeError):  # its loop is closed: no heartbeats any more
            loop.call_soon_threadsafe(wake.set)


def _beat_loop(
    ref: weakref.ReferenceType[RedisLimiterBase], stop: threading.Event, wake: threading.Event, interval: float
) -> None:
    """Heartbeats of one limiter until it is closed or collected (holds no reference between beats)."""
    while True:
        wake.wait(interval)
        wake.clear()
        if stop.is_set():
            return
        limiter = ref()
        if limiter is None:
            return
        beat(limiter)
        del limiter


def _start_async_beats(limiter: RedisLimiterBase) -> None:
    if limiter._beat_task is not None or limiter._beat_stop.is_set():
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    limiter._beat_task = loop.create_task(_async_beat_loop(weakref.ref(limiter), limiter._failover.probe_interval))


async def _async_beat_loop(ref: weakref.ReferenceType[RedisLimiterBase], interval: float) -> None:
    """The heartbeat thread's loop as a task (no reference to the limiter between beats)."""
    wake = asyncio.Event()
    limiter = ref()
    if limiter is None:
        return
    limiter._beat_wake_async = (asyncio.get_running_loop(), wake)
    del limiter
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), interval)
        wake.clear()
        limiter = ref()
        if limiter is None or limiter._beat_stop.is_set():
            return
        await _async_beat(limiter)
        del limiter


async def _async_beat(limiter: RedisLimiterBase) -> None:
    if limiter._failover.current()[0] == "local":
        if limiter._failover.want_probe():
            await limiter._probe_async()
        return
    sent = limiter._clock()
    try:
        counted = _counted(await limiter._async().beat(keys=limiter._registry_keys(), args=_beat_args(limiter)))
    except limiter._errors as exc:
        if limiter._fail_open:
            limiter._lost(exc, sent)
        return
    if limiter._failover.contacted(*counted):
        report_soon(limiter)


def _beat_args(limiter: RedisLimiterBase) -> list[str]:
    """BEAT's arguments; the last says what the others are to keep free for this limiter."""
    return [limiter._id, repr(limiter._ttl), limiter._divisor()]


def beat(limiter: RedisLimiterBase) -> None:
    if limiter._failover.current()[0] == "local":
        # Probe now: every caller may be asleep in the local share, and none would probe.
        if limiter._failover.want_probe():
            limiter._probe_sync()
        return
    sent = limiter._clock()
    try:
        counted = _counted(limiter._sync().beat(keys=limiter._registry_keys(), args=_beat_args(limiter)))
    except limiter._errors as exc:
        if limiter._fail_open:
            limiter._lost(exc, sent)
        return
    if limiter._failover.contacted(*counted):
        report_soon(limiter)


def stop_beats(limiter: RedisLimiterBase) -> None:
    limiter._beat_stop.set()
    limiter._beat_wake.set()
    thread = limiter._beat_thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(limiter._socket_timeout * 2 + 1.0)


def _close_own_sync_client(limiter: RedisLimiterBase) -> None:
    if limiter._url is not None and limiter._sync_scripts is not None:
        limiter._sync_scripts.client.close()
        limiter._sync_scripts = None
        limiter._client = None


def close_sync(limiter: RedisLimiterBase) -> None:
    stop_beats(limiter)
    thread = limiter._probe_thread
    if thread is not None:
        thread.join(limiter._socket_timeout * 2 + 1.0)
        limiter._probe_thread = None
    # Leave the registry, so that nobody keeps a share free for this limiter any longer.
    if limiter._failover.current()[0] != "local" and limiter._sync_scripts is not None:
        members, shares = limiter._registry_keys()
        try:
            limiter._sync_scripts.client.zrem(members, limiter._id)
            limiter._sync_scripts.client.hdel(shares, limiter._id)
        except limiter._errors:
            pass
    _close_own_sync_client(limiter)


async def close_async(limiter: RedisLimiterBase) -> None:
    if limiter._tasks:
        await asyncio.gather(*limiter._tasks, return_exceptions=True)
    await asyncio.to_thread(stop_beats, limiter)
    task, limiter._beat_task = limiter._beat_task, None
    if task is not None and task.get_loop() is asyncio.get_running_loop():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if limiter._failover.current()[0] != "local":
        members, shares = limiter._registry_keys()
        try:
            client = limiter._async().client
            await client.zrem(members, limiter._id)
            await client.hdel(shares, limiter._id)
        except limiter._errors:
            pass
    _close_own_sync_client(limiter)
    scripts = limiter._async_scripts.pop(asyncio.get_running_loop(), None)
    if scripts is not None and limiter._async_client is None:
        await scripts.client.aclose()
