"""RedisRateLimiter against a real `redis-server` on a free loopback port.

Locally the tests skip when `redis-server` (or redis-py) is missing; with CI=true they fail
instead, so a CI image without Redis cannot turn the suite green by skipping.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .test_policy import assert_windows

pytestmark = pytest.mark.redis

HERE = Path(__file__).resolve().parent
QUOTA_SERVER = HERE.parents[1] / "benchmarks" / "_quota_server.py"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"{reason}. CI must provide it (apt-get install -y redis-server; "
            "pip install redis): the Redis rate-limit tests may not be skipped in CI.",
            pytrace=False,
        )
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server binary not found on PATH")
    if importlib.util.find_spec("redis") is None:
        _unavailable("redis-py (the 'redis' package) is not installed")
    assert binary is not None
    workdir = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.02)
    client.close()
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def rlr(pkg: str) -> ModuleType:
    """`<pkg>._ratelimit_redis`."""
    return importlib.import_module(f"{pkg}._ratelimit_redis")


def limiter(rl: ModuleType, rlr: ModuleType, url: str, limits: list[Any], **kw: Any) -> Any:
    kw.setdefault("key_prefix", f"test:{uuid.uuid4().hex}")
    kw.setdefault("fail_open", False)
    return rlr.RedisRateLimiter(limits, url=url, **kw)


def window_scores(lim: Any, url: str) -> dict[str, list[float]]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = sorted(k.decode() for k in client.scan_iter(match=f"{lim._prefix}:w:*"))
        return {k: [s for _, s in client.zrange(k, 0, -1, withscores=True)] for k in keys}
    finally:
        client.close()


# --------------------------------------------------------------------------- no server


def test_runtime_never_imports_redis_eagerly(pkg: str) -> None:
    code = (
        "import sys\n"
        f"import {pkg}._ratelimit, {pkg}._ratelimit_redis\n"
        "assert 'redis' not in sys.modules, 'redis imported at module import time'\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_missing_redis_package_says_how_to_install(
    rl: ModuleType, rlr: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # makes `import redis` fail
    with pytest.raises(ImportError, match=r"pip install redis"):
        rlr.RedisRateLimiter([rl.RateLimit(1, 1.0)], url="redis://127.0.0.1:1/0")


# --------------------------------------------------------------------------- windows


def test_windows_are_shared_between_instances(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}"
    sleeps: list[float] = []
    a = limiter(rl, rlr, redis_url, [rl.RateLimit(3, 30.0)], key_prefix=prefix, sleep=lambda s: None)
    b = limiter(rl, rlr, redis_url, [rl.RateLimit(3, 30.0)], key_prefix=prefix, sleep=sleeps.append)
    assert a.acquire() == 0.0
    assert a.acquire() == 0.0
    assert b.acquire() == 0.0
    waited, opens, took = _slot(b.acquire)  # the 4th start in 30 s, whoever asks
    assert 29.0 < waited <= 30.0 + rl.default_margin(30.0)
    assert sleeps == [waited]
    # The 5th and 6th open when the 4th does: the same moment, however long each call took to ask.
    for ask in (a.acquire, b.acquire):
        _, moment, asking = _slot(ask)
        assert moment == pytest.approx(opens, abs=0.05 + took + asking)
    assert a.acquire() > 60.0  # slots are handed out once, across instances
    a.close()
    b.close()


def _slot(acquire: Callable[[], float]) -> tuple[float, float, float]:
    """(the wait; the moment the start is allowed, on the monotonic clock; how long the call
    took): the wait alone shrinks with every moment the machine takes to ask."""
    before = time.monotonic()
    wait = acquire()
    after = time.monotonic()
    return wait, after + wait, after - before


def test_sorted_set_log_respects_every_window(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    limits = [rl.RateLimit(10, 1.0), rl.RateLimit(30, 4.0), rl.RateLimit(4, 1.0, "g")]
    lim = limiter(rl, rlr, redis_url, limits, sleep=lambda s: None, margin=0.0)
    for i in range(60):
        lim.acquire("g" if i % 3 == 0 else None)
    scores = window_scores(lim, redis_url)
    assert len(scores) == 3
    by_name = {name.split(":w:")[1]: values for name, values in scores.items()}
    assert len(by_name["*:10/1.0"]) == 60
    assert_windows(by_name["*:10/1.0"], 10, 1.0)
    assert_windows(by_name["*:30/4.0"], 30, 4.0)
    assert len(by_name["g:g:4/1.0"]) == 20
    assert_windows(by_name["g:g:4/1.0"], 4, 1.0)
    lim.close()


def test_slots_come_from_the_redis_clock(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    """Local clocks that are wildly off change nothing: Redis TIME decides."""
    import redis

    lim = limiter(
        rl,
        rlr,
        redis_url,
        [rl.RateLimit(2, 5.0)],
        clock=lambda: 123.0,
        wall_clock=lambda: 42.0,
        sleep=lambda s: None,
        margin=0.0,
    )
    delays = [lim.acquire() for _ in range(3)]
    assert delays[:2] == [0.0, 0.0] and 4.9 < delays[2] <= 5.0
    server = redis.Redis.from_url(redis_url)
    seconds, micros = server.time()
    server.close()
    (scores,) = window_scores(lim, redis_url).values()
    assert abs(scores[0] - (seconds + micros / 1e6)) < 2.0
    lim.close()


def test_window_keys_expire(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    import redis

    lim = limiter(rl, rlr, redis_url, [rl.RateLimit(5, 2.0)])
    lim.acquire()
    client = redis.Redis.from_url(redis_url)
    (key,) = window_scores(lim, redis_url)
    ttl = client.pttl(key)
    client.close()
    assert 0 < ttl <= 2000 + 1000 + 100
    lim.reset()
    assert window_scores(lim, redis_url) == {}
    lim.close()


def test_responses_anchor_requests_in_redis(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    """`observe` moves a request to its response time, in the log and the started set."""
    import redis

    lim = limiter(rl, rlr, redis_url, [rl.RateLimit(2, 0.3)], margin=0.0)
    client = redis.Redis.from_url(redis_url)
    lim.acquire()
    (key,) = window_scores(lim, redis_url)
    started_key = key.replace(":w:", ":s:")
    ((member, began),) = client.zrange(started_key, 0, -1, withscores=True)
    time.sleep(0.1)  # the request takes 100 ms
    lim.observe(None, 200, {})
    answered = client.zscore(started_key, member)
    assert answered - began >= 0.09
    assert client.zscore(key, member) == answered
    lim.acquire()
    lim.observe(None, 200, {})
    t0 = time.monotonic()
    lim.acquire()  # the third start waits for the first *response* + 0.3 s
    waited = time.monotonic() - t0
    seconds, micros = client.time()
    assert seconds + micros / 1e6 >= answered + 0.3 - 0.005
    assert 0.15 < waited < 0.5
    client.close()
    lim.close()


# --------------------------------------------------------------------------- holds


def test_a_429_in_one_instance_holds_the_others(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}"
    a = limiter(rl, rlr, redis_url, [], key_prefix=prefix)
    b = limiter(rl, rlr, redis_url, [], key_prefix=prefix)
    assert a.observe(None, 429, {"Retry-After": "0.2"}) == 0.2
    began = time.monotonic()
    b.acquire("any.group")
    assert 0.15 < time.monotonic() - began < 1.0
    # a group hold only holds that group
    a.observe("domains.create", 429, {"Retry-After": "30"})
    began = time.monotonic()
    b.acquire("domains.update")
    b.acquire(None)
    assert time.monotonic() - began < 0.1
    assert b.snapshot() == {}  # snapshots are per process: b observed nothing
    a.close()
    b.close()


def test_a_shared_hold_past_max_wait_is_refused_at_once(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}"
    a = limiter(rl, rlr, redis_url, [], key_prefix=prefix)
    slept: list[float] = []
    b = limiter(rl, rlr, redis_url, [rl.RateLimit(1, 30)], key_prefix=prefix, sleep=slept.append)
    a.observe(None, 429, {"Retry-After": "30"})  # seen by another process, shared through Redis
    with pytest.raises(rl.WaitTooLong) as refused:
        b.acquire("any.group", max_wait=2)
    assert refused.value.seconds > 25 and slept == []
    # A window wait past max_wait is refused too, and the refused slot is given back.
    c = limiter(rl, rlr, redis_url, [rl.RateLimit(1, 30)], sleep=slept.append)
    c.acquire(None)
    with pytest.raises(rl.WaitTooLong):
        c.acquire(None, max_wait=1)
    assert slept == []
    assert sum(len(v) for v in window_scores(c, redis_url).values()) == 1
    for lim in (a, b, c):
        lim.close()


def test_remaining_zero_is_shared(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}"
    a = limiter(rl, rlr, redis_url, [], key_prefix=prefix)
    b = limiter(rl, rlr, redis_url, [], key_prefix=prefix, sleep=lambda s: None)
    a.observe("g", 200, {"ratelimit-remaining": "0", "ratelimit-reset": "0.15"})
    assert a.snapshot()["g"].remaining == 0
    began = time.monotonic()
    waited = 0.0
    while time.monotonic() - began < 1.0:  # b re-checks until the hold has passed
        waited += b.acquire("g")
        if time.monotonic() - began >= 0.14:
            break
    assert waited > 0.0


# --------------------------------------------------------------------------- asyncio


def test_async_tasks_share_windows(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    lim = limiter(rl, rlr, redis_url, [rl.RateLimit(5, 0.5)], margin=0.1)
    recorded: list[float] = []

    async def worker() -> None:
        await lim.aacquire()
        recorded.append(time.monotonic())

    async def main() -> None:
        await lim.aping()
        await asyncio.gather(*(worker() for _ in range(12)))
        await lim.aclose()

    asyncio.run(main())
    assert len(recorded) == 12
    assert_windows(recorded, 5, 0.5)


def test_async_observe_shares_holds(rl: ModuleType, rlr: ModuleType, redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex}"
    a = limiter(rl, rlr, redis_url, [], key_prefix=prefix)
    b = limiter(rl, rlr, redis_url, [], key_prefix=prefix)

    async def main() -> float:
        import redis.asyncio

        probe = redis.asyncio.Redis.from_url(redis_url)
        a.observe(None, 429, {"Retry-After": "0.3"})  # shared in the background ...
        began = time.monotonic()
        while not await probe.exists("{" + prefix + "}:hold:*"):
            await asyncio.sleep(0.002)
        await probe.aclose()
        await b.aacquire()  # ... and seen by another instance
        waited = time.monotonic() - began
        await a.aobserve(None, 429, {"Retry-After": "0.1"})  # awaited variant
        await a.aclose()
        await b.aclose()
        return waited

    assert 0.25 < asyncio.run(main()) < 1.0


# --------------------------------------------------------------------------- failures


def test_fail_open_falls_back_to_a_local_limiter(
    rl: ModuleType, rlr: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    if importlib.util.find_spec("redis") is None:
        _unavailable("redis-py (the 'redis' package) is not installed")
    dead = f"redis://127.0.0.1:{_free_port()}/0"
    lim = rlr.RedisRateLimiter(
        [rl.RateLimit(1, 60.0)],
        url=dead,
        fail_open=True,
        sleep=lambda s: None,
        socket_timeout=0.5,
    )
    with caplog.at_level(logging.WARNING):
        assert lim.acquire() == 0.0
        assert lim.acquire() == pytest.approx(60.0 + rl.default_margin(60.0), abs=0.1)
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)
    closed = rlr.RedisRateLimiter([rl.RateLimit(1, 60.0)], url=dead, fail_open=False, socket_timeout=0.5)
    with pytest.raises(Exception, match=r"(?i)connect|refused"):
        closed.acquire()


# --------------------------------------------------------------------------- processes


def test_four_processes_share_one_quota_without_a_single_429(
    pkg: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 spawned processes x 2 threads x 3 requests against a server that enforces
    10 per 0.25 s and answers 429 beyond it: every request completes, none is refused."""
    spec = importlib.util.spec_from_file_location("_rl_quota_server", QUOTA_SERVER)
    assert spec is not None and spec.loader is not None
    quota_server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quota_server)

    # spawn hands sys.path to the children, so they can import the worker module too
    monkeypatch.syspath_prepend(str(HERE))
    import _redis_worker

    limits = [(10, 0.25)]
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    prefix = f"test:{uuid.uuid4().hex}"
    with quota_server.QuotaServer(limits, integer_retry_after=False) as server:
        processes = [
            ctx.Process(
                target=_redis_worker.run,
                args=(
                    pkg,
                    redis_url,
                    prefix,
                    server.url,
                    limits,
                    0.05,  # margin: absorbs scheduling jitter of 4 busy processes
                    2,
                    3,
                    ready,
                    go,
                    results,
                ),
            )
            for _ in range(4)
        ]
        try:
            for p in processes:
                p.start()
            for _ in processes:
                ready.get(timeout=60)
            server.quota.reset()
            began = time.monotonic()
            go.set()
            counts = [results.get(timeout=60) for _ in processes]
            elapsed = time.monotonic() - began
        finally:
            for p in processes:
                p.join(timeout=10)
                if p.is_alive():
                    p.kill()
        stats = server.quota.stats()
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    assert sum(c["ok"] for c in counts) == 24, counts
    assert sum(c["failed"] for c in counts) == 0, counts
    assert sum(c["429"] for c in counts) == 0, counts
    assert stats["rejected"] == 0, stats
    assert stats["accepted"] == 24
    assert_windows(stats["arrivals"], 10, 0.25)
    assert elapsed < 5.0  # 3 windows: about 0.6 s
