"""The shares the participants of a RedisRateLimiter keep free for one another, against a real
`redis-server`: a participant that stops without leaving the registry (a process that ended
without `close()`) is seen silent, and what the others keep free for it depends on whether it
could be going on alone.
"""

from __future__ import annotations

import gc
import importlib
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest.mock import ANY

import pytest

from ._redis_server import RedisServer

pytestmark = pytest.mark.redis

# The survivor's view: a participant silent for longer than 2 x 0.05 + 0.3 s may have lost Redis.
SURVIVOR = {"socket_timeout": 0.3, "probe_interval": 0.05}
QUIET = 2 * 0.05 + 0.3


def _starts_without_waiting(rl: ModuleType, limiter: Any, most: int) -> int:
    """How many requests `limiter` may start now, one after the other, each answered at once."""
    for started in range(most):
        try:
            limiter.acquire(None, max_wait=0.0)
        except rl.WaitTooLong:
            return started
        limiter.observe(None, 200, {})
    return most


@pytest.mark.parametrize(("fail_open", "free"), [(False, 8), (True, 0)])
def test_a_stopped_participant_that_joined_alone(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer, fail_open: bool, free: int
) -> None:
    """The first participant joins alone (Redis answers it 1 participant), makes one request and
    stops within `quiet` of joining, never to call Redis again: its divisor in Redis stays 1.
    One that raises when Redis fails (fail_open=False) never goes on alone, so the survivor keeps
    nothing free for it: 10 - 2 requests may still start in the window. One that would go on
    alone may be doing so with the whole quota (the last reply it got may be the one that said
    it was alone), so the survivor starts nothing more until it answers or expires."""
    prefix = f"test:{uuid.uuid4().hex}"
    limits = [rl.RateLimit(10, 30.0)]  # long enough that nothing leaves the window during the test
    # Its heartbeats would come only after the test: stopped, as far as Redis can tell.
    stopped = rlr.RedisRateLimiter(
        limits, url=redis_server.url, key_prefix=prefix, fail_open=fail_open, probe_interval=60.0
    )
    survivor = rlr.RedisRateLimiter(limits, url=redis_server.url, key_prefix=prefix, fail_open=False, **SURVIVOR)
    try:
        assert stopped.acquire(None, max_wait=0.0) == 0.0
        stopped.observe(None, 200, {})
        assert stopped.participants == 1
        assert _starts_without_waiting(rl, survivor, 1) == 1
        assert survivor.participants == 2
        time.sleep(2 * QUIET)  # the stopped one is silent from here on, in the survivor's view
        assert _starts_without_waiting(rl, survivor, 10) == free
    finally:
        survivor.close()
        stopped.close()


def _joined_alone(rl: ModuleType, rlr: ModuleType, url: str, prefix: str) -> Any:
    limiter = rlr.RedisRateLimiter(
        [rl.RateLimit(10, 30.0)], url=url, key_prefix=prefix, fail_open=True, probe_interval=60.0
    )
    assert limiter.acquire(None, max_wait=0.0) == 0.0
    limiter.observe(None, 200, {})
    assert limiter.participants == 1
    return limiter


def test_a_participant_nobody_closed_leaves_when_it_is_collected(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """The case above with a limiter that would go on alone, but dropped without `close()`: it
    leaves the registry when collected, so the survivor keeps nothing free for it."""
    prefix = f"test:{uuid.uuid4().hex}"
    stopped = _joined_alone(rl, rlr, redis_server.url, prefix)
    survivor = rlr.RedisRateLimiter([rl.RateLimit(10, 30.0)], url=redis_server.url, key_prefix=prefix, **SURVIVOR)
    try:
        assert _starts_without_waiting(rl, survivor, 1) == 1
        del stopped
        gc.collect()
        time.sleep(2 * QUIET)
        assert _starts_without_waiting(rl, survivor, 10) == 8
    finally:
        survivor.close()


def test_a_process_that_ends_without_close_leaves_the_registry(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """A script that joins alone, makes one request and exits without `close()`."""
    prefix = f"test:{uuid.uuid4().hex}"
    package = rl.__name__.split(".")[0]
    script = (
        f"import sys; sys.path.insert(0, {str(Path(rl.__file__).parents[1])!r})\n"
        f"from {package}._ratelimit import RateLimit\n"
        f"from {package}._ratelimit_redis import RedisRateLimiter\n"
        f"limiter = RedisRateLimiter([RateLimit(10, 30.0)], url={redis_server.url!r}, key_prefix={prefix!r},"
        " probe_interval=60.0)\n"
        "assert limiter.acquire(None, max_wait=0.0) == 0.0\n"
        "limiter.observe(None, 200, {})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    survivor = rlr.RedisRateLimiter([rl.RateLimit(10, 30.0)], url=redis_server.url, key_prefix=prefix, **SURVIVOR)
    try:
        assert survivor.participants in (0, 1)
        time.sleep(2 * QUIET)
        assert _starts_without_waiting(rl, survivor, 10) == 9  # the script's one request still counts
    finally:
        survivor.close()


# A participant that joins alone and takes its counts from Redis, in a process of its own: it
# prints "joined" after its first request, makes `calls` more after a line on stdin, prints the
# participants it holds, then waits to be killed. Its heartbeats every probe_interval would come
# only after the test (60 s), and so would any record of a larger divisor by the old rule (`quiet`
# after it was last answered 1, here 2 x 60 + 1 s).
_PARTICIPANT = """
import sys
sys.path.insert(0, {src!r})
from {package}._ratelimit import RateLimit
from {package}._ratelimit_redis import RedisRateLimiter
limiter = RedisRateLimiter([RateLimit(20, 30.0)], url={url!r}, key_prefix={prefix!r}, probe_interval=60.0)
def call():
    assert limiter.acquire(None, max_wait=0.0) == 0.0
    limiter.observe(None, 200, {{}})
call()
print("joined", limiter.participants, flush=True)
sys.stdin.readline()
for _ in range({calls}):
    call()
print("holds", limiter.participants, flush=True)
sys.stdin.readline()
"""


def _recorded(url: str, prefix: str) -> list[int]:
    """The divisors Redis keeps shares free by, one per participant."""
    import redis

    with redis.Redis.from_url(url) as client:
        return sorted(int(v.decode().partition(":")[0]) for v in client.hvals(f"{{{prefix}}}:shares"))


@pytest.mark.parametrize("calls", [2, 1])
def test_a_killed_participant_that_had_learned_it_is_not_alone(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer, calls: int
) -> None:
    """A process joins alone (Redis answers it 1 participant), the survivor joins, the process
    makes `calls` more requests (the first answered 2 participants; the second, or else the
    heartbeat it sends at once when it takes a larger count, tells Redis it holds 2) and is
    killed: no finalizer, no close(). If it were only cut off from Redis it would go on alone at
    half the quota, so the survivor keeps half of it free, not all of it, and starts its own
    requests at once instead of one per window until the killed one's registration expires
    (participant_ttl)."""
    prefix = f"test:{uuid.uuid4().hex}"
    package = rl.__name__.split(".")[0]
    script = _PARTICIPANT.format(
        src=str(Path(rl.__file__).parents[1]), package=package, url=redis_server.url, prefix=prefix, calls=calls
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    survivor = rlr.RedisRateLimiter([rl.RateLimit(20, 30.0)], url=redis_server.url, key_prefix=prefix, **SURVIVOR)
    try:
        assert process.stdin is not None and process.stdout is not None
        assert process.stdout.readline().split() == ["joined", "1"]
        assert _starts_without_waiting(rl, survivor, 1) == 1
        assert survivor.participants == 2
        process.stdin.write("go\n")
        process.stdin.flush()
        assert process.stdout.readline().split() == ["holds", "2"]
        # Bounded well before its first heartbeat of the interval (60 s): Redis learns it holds 2.
        deadline = time.monotonic() + 30.0
        while _recorded(redis_server.url, prefix) != [2, 2] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _recorded(redis_server.url, prefix) == [2, 2]
        process.kill()
        process.wait(timeout=60)
        time.sleep(2 * QUIET)  # the killed one is silent from here on, in the survivor's view
        # 20 - 20 // 2 for the others, less the killed one's requests and the survivor's one
        assert _starts_without_waiting(rl, survivor, 20) == 10 - (1 + calls) - 1
    finally:
        survivor.close()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)


def test_the_divisor_recorded_is_the_smallest_the_participant_may_hold(pkg: str, redis_server: RedisServer) -> None:
    """Heartbeats of participant `a`, each sent with the count it holds and the Redis time of the
    reply that count came from: Redis records the smallest of that count and those of the
    replies it sent `a` since then (`a` may still take them). A call sent before one Redis has
    already run (its reply time older) adds only its own reply's count: what it held is past."""
    import redis

    scripts = importlib.import_module(f"{pkg}._ratelimit_redis_heartbeat")
    client = redis.Redis.from_url(redis_server.url)
    beat = client.register_script(scripts.BEAT)
    keys = ["{t}:members", "{t}:shares"]

    def call(member: str, divisor: str) -> tuple[int, str]:
        count, answered = beat(keys=keys, args=[member, "60.0", divisor])
        return int(count), answered.decode()

    def recorded() -> int:
        return int(client.hget(keys[1], "a").decode().partition(":")[0])

    try:
        assert call("a", "1@") == (1, ANY)  # joins alone
        _, alone = call("a", "1@")
        assert recorded() == 1
        assert call("b", "1@")[0] == 2
        _, two = call("a", f"1@{alone}")  # holds 1: answered 2
        assert recorded() == 1
        call("a", f"2@{two}")  # has taken the reply that said 2
        assert recorded() == 2
        call("a", f"1@{alone}")  # sent before the one above, run after it: answered 2
        assert recorded() == 2
        client.zrem(keys[0], "b")
        call("a", f"1@{alone}")  # the same, answered 1: a reply newer than the one it holds
        assert recorded() == 1
        _, one = call("a", f"2@{two}")  # answered 1 again, neither taken yet
        assert recorded() == 1
        call("b", "1@")
        call("a", f"1@{one}")  # has taken it: holds 1, answered 2
        assert recorded() == 1
        call("a", "0")  # one that never goes on alone
        assert recorded() == 0
    finally:
        client.close()


def test_an_async_only_limiter_reports_a_larger_count_from_its_heartbeat_task(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """Given only an asyncio client, the heartbeats are a task on its loop: taking a reply that
    counts more participants than it held wakes that task at once, not `probe_interval` (60 s)
    later, so Redis learns it holds 2 without another call of its own."""
    import asyncio

    import redis.asyncio

    prefix = f"test:{uuid.uuid4().hex}"

    async def scenario() -> None:
        client = redis.asyncio.Redis.from_url(redis_server.url)
        joined = rlr.RedisRateLimiter(
            [rl.RateLimit(20, 30.0)], async_client=client, key_prefix=prefix, probe_interval=60.0
        )
        other = rlr.RedisRateLimiter([rl.RateLimit(20, 30.0)], url=redis_server.url, key_prefix=prefix)
        try:
            await joined.aacquire(None, max_wait=0.0)
            joined.observe(None, 200, {})
            await asyncio.sleep(0.1)  # its heartbeat task has started
            assert _recorded(redis_server.url, prefix) == [1]
            assert _starts_without_waiting(rl, other, 1) == 1
            await joined.aacquire(None, max_wait=0.0)  # answered 2
            joined.observe(None, 200, {})
            assert joined.participants == 2
            for _ in range(3000):  # at most 30 s, well before its next heartbeat of the interval
                if _recorded(redis_server.url, prefix) == [2, 2]:
                    break
                await asyncio.sleep(0.01)
            assert _recorded(redis_server.url, prefix) == [2, 2]
        finally:
            other.close()
            await joined.aclose()
            await client.aclose()

    asyncio.run(scenario())
