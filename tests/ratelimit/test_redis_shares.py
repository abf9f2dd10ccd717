"""The shares the participants of a RedisRateLimiter keep free for one another, against a real
`redis-server`: a participant that stops without leaving the registry (a process that ended
without `close()`) is seen silent, and what the others keep free for it depends on whether it
could be going on alone.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

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
