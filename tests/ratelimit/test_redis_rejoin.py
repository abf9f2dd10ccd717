"""RedisRateLimiter around a rejoin, against a real `redis-server` (killed, paused, or reached
through a fault proxy that cuts one process off): what a process made alone meets Redis again
correctly, a paused Redis's late calls are undone, an asyncio-only limiter heartbeats, and a
transport failure ends a request in the shared windows.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ._redis_server import RedisServer

pytestmark = pytest.mark.redis

HERE = Path(__file__).resolve().parent


@pytest.fixture
def fault_proxy() -> Iterator[Any]:
    """The fault tests' loopback TCP proxy class (tests/reliability/_proxy.py)."""
    folder = str(HERE.parent / "reliability")
    sys.path.insert(0, folder)
    try:
        from _proxy import FaultProxy
    finally:
        sys.path.remove(folder)
    yield FaultProxy


def test_a_start_planned_alone_asks_redis_once_the_process_has_rejoined(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer, fault_proxy: Any
) -> None:
    """A task waiting in the local share when the process rejoins must not start on the local
    limiter's word: the others count on the whole quota less what Redis holds, and Redis holds
    only the requests that had started. Its start goes through Redis (in flight there until
    answered) instead; before the fix it started locally, unseen by Redis."""
    import asyncio

    import redis

    FaultProxy = fault_proxy
    prefix = f"test:{uuid.uuid4().hex}"
    inspect = redis.Redis.from_url(redis_server.url)
    in_flight = "{" + prefix + "}:f:*:2/2.0"

    async def scenario(proxy: Any) -> None:
        lim = rlr.RedisRateLimiter(
            [rl.RateLimit(2, 2.0)],
            url=f"redis://127.0.0.1:{proxy.port}/0",
            key_prefix=prefix,
            socket_timeout=0.3,
            probe_interval=0.05,
            margin=0.0,
        )
        await lim.aacquire()
        lim.observe(None, 200, {})
        proxy.cut()
        with pytest.raises(rl.WaitTooLong):
            await lim.aacquire(max_wait=0)  # Redis fails: the local share starts full, a window ahead
        assert lim.state == "local"

        started, answered = asyncio.Event(), asyncio.Event()

        async def waiting() -> None:
            await lim.aacquire()
            started.set()
            await answered.wait()
            lim.observe(None, 200, {})  # in the task that acquired, as the client does

        task = asyncio.ensure_future(waiting())
        await asyncio.sleep(0.1)
        proxy.heal()
        for _ in range(200):  # bounded: until a probe (due with each call) has rejoined
            if lim.state != "local":
                break
            with pytest.raises(rl.WaitTooLong):
                await lim.aacquire(max_wait=0)
            await asyncio.sleep(0.02)
        assert lim.state == "rejoining" and not task.done()
        assert not [k for k in inspect.scan_iter(match=in_flight) if inspect.zcard(k)]
        await asyncio.wait_for(started.wait(), 10)
        # Started through Redis: in flight there until its response
        assert sum(inspect.zcard(k) for k in inspect.scan_iter(match=in_flight)) == 1
        answered.set()
        await task
        await asyncio.sleep(0.2)  # the completion goes to Redis in the background
        assert sum(inspect.zcard(k) for k in inspect.scan_iter(match=in_flight)) == 0
        await lim.aclose()

    with FaultProxy(("127.0.0.1", redis_server.port)) as proxy:
        asyncio.run(scenario(proxy))
    inspect.close()


def test_an_async_only_limiter_heartbeats_on_its_loop_and_leaves_no_task(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """Given only an asyncio client (no thread can beat for it), an idle limiter still tells
    Redis it is there, from a task on its event loop, so the others never take it for cut off;
    `aclose()` ends that task."""
    import asyncio

    import redis
    import redis.asyncio

    prefix = f"test:{uuid.uuid4().hex}"
    inspect = redis.Redis.from_url(redis_server.url)

    def silent_for() -> float:
        seconds, micros = inspect.time()
        members = inspect.zrange("{" + prefix + "}:members", 0, -1, withscores=True)
        assert len(members) == 1
        return seconds + micros / 1e6 - members[0][1]

    async def scenario() -> None:
        client = redis.asyncio.Redis.from_url(redis_server.url, socket_timeout=0.3)
        lim = rlr.RedisRateLimiter(
            [rl.RateLimit(100, 1.0)], async_client=client, key_prefix=prefix, socket_timeout=0.3, probe_interval=0.05
        )
        await lim.aacquire()
        lim.observe(None, 200, {})
        quiet = 2 * 0.05 + 0.3
        await asyncio.sleep(3 * quiet)  # idle: no call of its own
        assert silent_for() < quiet
        await lim.aclose()
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
        await client.aclose()

    asyncio.run(scenario())
    inspect.close()


def test_calls_a_paused_redis_runs_when_it_resumes_are_removed_on_rejoin(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """SIGSTOP: a reserve call times out, but Redis has it in its socket buffer and runs it on
    SIGCONT, for a caller that went on alone long ago. The start it records counted against
    everybody (after a pause of 4 processes x 8 tasks, 40 starts in a window of 30); the rejoin
    removes it, so the window holds only requests that were really sent."""
    import redis

    prefix = f"test:{uuid.uuid4().hex}"
    inspect = redis.Redis.from_url(redis_server.url)
    started_log = "{" + prefix + "}:s:*:100/60.0"
    lim = rlr.RedisRateLimiter(
        [rl.RateLimit(100, 60.0)],
        url=redis_server.url,
        key_prefix=prefix,
        socket_timeout=0.3,
        probe_interval=0.05,
        margin=0.0,
    )
    lim.acquire()
    lim.observe(None, 200, {})
    assert inspect.zcard(started_log) == 1
    redis_server.pause()
    try:
        with pytest.raises(rl.WaitTooLong):
            lim.acquire(max_wait=0)  # the reserve times out: alone, and the local share is full
        assert lim.state == "local"
    finally:
        redis_server.resume()
    for _ in range(300):  # bounded: until a probe (heartbeats probe while local) has rejoined
        if lim.state != "local":
            break
        time.sleep(0.01)
    assert lim.state == "rejoining"
    assert inspect.zcard(started_log) == 1  # the one request really sent
    lim.close()
    inspect.close()


def test_a_request_in_flight_alone_at_the_rejoin_counts_in_redis_until_answered(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer, fault_proxy: Any
) -> None:
    """A request started alone and still unanswered when the process rejoins is written into
    Redis as in flight (the server may count it any time before its response), under a member
    its response then completes there."""
    import asyncio

    import redis

    FaultProxy = fault_proxy
    prefix = f"test:{uuid.uuid4().hex}"
    inspect = redis.Redis.from_url(redis_server.url)
    in_flight = "{" + prefix + "}:f:*:2/0.5"

    def members() -> list[str]:
        return [m.decode() for k in inspect.scan_iter(match=in_flight) for m in inspect.zrange(k, 0, -1)]

    async def scenario(proxy: Any) -> None:
        lim = rlr.RedisRateLimiter(
            [rl.RateLimit(2, 0.5)],
            url=f"redis://127.0.0.1:{proxy.port}/0",
            key_prefix=prefix,
            socket_timeout=0.3,
            probe_interval=0.05,
            margin=0.0,
        )
        await lim.aacquire()
        lim.observe(None, 200, {})  # responses are reported
        proxy.cut()
        await lim.aacquire()  # alone (after the local share's onset); not answered yet
        assert lim.state == "local" and lim._started_alone.get() is not None
        proxy.heal()
        # Bounded: until a heartbeat's probe has rejoined (the state turns `rejoining` just
        # before the rejoin script runs, in the probe's thread).
        for _ in range(300):
            if lim.state != "local" and members():
                break
            await asyncio.sleep(0.01)
        assert lim.state == "rejoining"
        assert [m.startswith(f"r:{lim._id}:") for m in members()] == [True]
        lim.observe(None, 200, {})
        for _ in range(100):  # the completion goes to Redis in the background
            if not members():
                break
            await asyncio.sleep(0.01)
        assert members() == []
        await lim.aclose()

    with FaultProxy(("127.0.0.1", redis_server.port)) as proxy:
        asyncio.run(scenario(proxy))
    inspect.close()


def test_a_transport_failure_ends_the_request_in_redis(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """`failed(sent=False)` (it never left the client) takes the request out of the shared
    windows; `failed(sent=True)` ends it as answered: no longer in flight, still in the window."""
    import redis

    prefix = f"test:{uuid.uuid4().hex}"
    inspect = redis.Redis.from_url(redis_server.url)
    started_log, in_flight = ("{" + prefix + "}:" + kind + ":*:5/60.0" for kind in ("s", "f"))
    lim = rlr.RedisRateLimiter([rl.RateLimit(5, 60.0)], url=redis_server.url, key_prefix=prefix, margin=0.0)
    lim.acquire()
    lim.observe(None, 200, {})
    lim.acquire()
    assert (inspect.zcard(started_log), inspect.zcard(in_flight)) == (2, 1)
    lim.failed(None, sent=False)
    assert (inspect.zcard(started_log), inspect.zcard(in_flight)) == (1, 0)
    lim.acquire()
    lim.failed(None, sent=True)
    assert (inspect.zcard(started_log), inspect.zcard(in_flight)) == (2, 0)
    lim.close()
    inspect.close()


def test_a_thread_waiting_alone_at_the_rejoin_starts_through_redis(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer, fault_proxy: Any
) -> None:
    """The sync twin of the test above: a thread asleep in the local share when a heartbeat's
    probe rejoins starts its request through Redis."""
    import threading

    import redis

    FaultProxy = fault_proxy
    prefix = f"test:{uuid.uuid4().hex}"
    inspect = redis.Redis.from_url(redis_server.url)
    in_flight = "{" + prefix + "}:f:*:2/2.0"

    def flying() -> int:
        return sum(inspect.zcard(k) for k in inspect.scan_iter(match=in_flight))

    with FaultProxy(("127.0.0.1", redis_server.port)) as proxy:
        lim = rlr.RedisRateLimiter(
            [rl.RateLimit(2, 2.0)],
            url=f"redis://127.0.0.1:{proxy.port}/0",
            key_prefix=prefix,
            socket_timeout=0.3,
            probe_interval=0.05,
            margin=0.0,
        )
        lim.acquire()
        lim.observe(None, 200, {})
        proxy.cut()
        with pytest.raises(rl.WaitTooLong):
            lim.acquire(max_wait=0)
        assert lim.state == "local"
        started, answered = threading.Event(), threading.Event()

        def waiting() -> None:
            lim.acquire()
            started.set()
            answered.wait(10)
            lim.observe(None, 200, {})

        thread = threading.Thread(target=waiting)
        thread.start()
        time.sleep(0.1)
        proxy.heal()
        for _ in range(300):  # bounded: until a heartbeat's probe has rejoined
            if lim.state != "local":
                break
            time.sleep(0.01)
        assert lim.state == "rejoining" and not started.is_set()
        assert started.wait(10)
        assert flying() == 1  # started through Redis: in flight there until its response
        answered.set()
        thread.join(10)
        assert flying() == 0
        lim.close()
    inspect.close()
