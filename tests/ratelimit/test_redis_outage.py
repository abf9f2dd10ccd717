"""RedisRateLimiter through Redis outages, against a real `redis-server` that is killed (and
restarted empty) or paused with SIGSTOP past the limiter's socket timeout.

What must hold: no call is lost; limiting goes on in each process, limited to its share of the
quota (the participants last seen in Redis), with a warning; when Redis answers again the
processes share the quota through it again; the server never sees more than its quota.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import multiprocessing
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ._redis_server import RedisServer
from .test_policy import assert_windows
from .test_redis import QUOTA_SERVER

pytestmark = pytest.mark.redis

HERE = Path(__file__).resolve().parent
# Short windows and timeouts so an outage of several windows takes a couple of seconds.
OPTIONS = {"socket_timeout": 0.5, "probe_interval": 0.1, "margin": 0.05}


def _quota_server() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_rl_quota_server", QUOTA_SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_redis_clients_time_out_and_never_retry(rl: ModuleType, rlr: ModuleType, redis_server: RedisServer) -> None:
    """A limiter call fails after at most `socket_timeout`: a timeout is never retried, a closed
    pooled connection (Redis restarted) once, at once; redis.Redis(...) of redis-py 6+ would
    retry 10 times with backoff."""
    import asyncio

    import redis

    lim = rlr.RedisRateLimiter([rl.RateLimit(5, 1.0)], url=redis_server.url, socket_timeout=0.7)
    lim.ping()
    pool = lim._sync().client.connection_pool
    connection = pool.get_connection()
    try:
        assert pool.connection_kwargs["socket_timeout"] == 0.7
        assert pool.connection_kwargs["socket_connect_timeout"] == 0.7
        assert connection.retry.get_retries() == 1
        assert connection.retry._supported_errors == (redis.exceptions.ConnectionError,)
    finally:
        pool.release(connection)
    lim.close()

    async def check_async() -> None:
        await lim.aping()
        kwargs = lim._async().client.connection_pool.connection_kwargs
        assert kwargs["socket_timeout"] == 0.7 and kwargs["retry"].get_retries() == 1
        assert kwargs["retry"]._supported_errors == (redis.exceptions.ConnectionError,)
        await lim.aclose()

    asyncio.run(check_async())


def test_a_paused_redis_is_asked_once_then_probed_in_the_background(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGSTOP: the call in flight times out once; later calls never touch Redis (no call waits
    for it again) while one probe at a time asks it in the background."""
    prefix = f"test:{uuid.uuid4().hex}"
    lim = rlr.RedisRateLimiter(
        [rl.RateLimit(1000, 1.0)], url=redis_server.url, key_prefix=prefix, socket_timeout=0.3, probe_interval=0.05
    )
    lim.acquire()
    lim.observe(None, 200, {})
    assert (lim.state, lim.participants) == ("shared", 1)
    calls: list[str] = []
    run = lim._run_sync

    def counting(group: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(mode)
        return run(group, mode, *args, **kwargs)

    lim._run_sync = counting
    redis_server.pause()
    try:
        with caplog.at_level(logging.WARNING):
            lim.acquire()
            lim.observe(None, 200, {})
            assert lim.state == "local" and calls == ["reserve"]
            for _ in range(50):
                lim.acquire()
                lim.observe(None, 200, {})
                time.sleep(0.01)  # probes are due every 50 ms; they run in a thread of their own
        assert calls == ["reserve"]
        assert [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    finally:
        redis_server.resume()
    for _ in range(500):  # bounded: until a probe has found Redis again
        if lim.state != "local":
            break
        lim.acquire()
        lim.observe(None, 200, {})
        time.sleep(0.01)
    assert lim.state in ("rejoining", "shared") and lim.outages == 1
    lim.acquire()
    assert "reserve" in calls[1:]
    lim.close()


def test_the_local_share_counts_the_other_participants(
    rl: ModuleType, rlr: ModuleType, redis_server: RedisServer
) -> None:
    """Three limiters on one prefix: when Redis dies each allows itself a third of the quota, from
    a window after the others can have seen it silent (its last contact plus `quiet`): until then
    they may have used the whole quota."""
    prefix = f"test:{uuid.uuid4().hex}"
    lims = [
        rlr.RedisRateLimiter([rl.RateLimit(30, 60.0)], url=redis_server.url, key_prefix=prefix, margin=0.0)
        for _ in range(3)
    ]
    for lim in lims:
        lim.acquire()
        lim.observe(None, 200, {})
    assert [lim.participants for lim in lims] == [1, 2, 3]
    a = lims[0]
    a.acquire()
    a.observe(None, 200, {})  # `a` saw all three participants
    redis_server.kill()
    with pytest.raises(rl.WaitTooLong) as refused:
        a.acquire(max_wait=1)
    assert a.state == "local" and a._failover.share_of == 3
    assert [(item.requests, item.per) for item in a._failover.current()[1].limits] == [(10, 60.0)]
    quiet = 2 * 1.0 + 1.0  # 2 x probe_interval + socket_timeout
    assert 60.0 < refused.value.seconds <= 60.0 + quiet
    for lim in lims:
        lim.close()


@pytest.mark.parametrize(("pkg", "fault"), [("replyio", "kill"), ("reloop", "pause")])
def test_four_processes_keep_the_quota_through_an_outage(
    pkg: str, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """4 spawned processes x 8 tasks on the generated async client, against a server enforcing
    10 per 0.5 s and 30 per 2 s. Redis is killed (and restarted empty) or paused for 3 s, six
    windows of 0.5 s, then comes back: no call fails, the server answers no 429, requests go on
    during the outage, and afterwards the processes share the quota through Redis again."""
    import redis

    quota_server = _quota_server()
    monkeypatch.syspath_prepend(str(HERE))
    import _redis_worker

    limits = [(10, 0.5), (30, 2.0)]
    ctx = multiprocessing.get_context("spawn")
    ready, results, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    prefix = f"test:{uuid.uuid4().hex}"
    with quota_server.QuotaServer(limits, integer_retry_after=False) as server:
        args = (pkg, redis_server.url, prefix, server.url, limits, OPTIONS, 8, 2000, ready, go, stop, results)
        processes = [ctx.Process(target=_redis_worker.run_through_outage, args=args) for _ in range(4)]
        try:
            for p in processes:
                p.start()
            for _ in processes:
                ready.get(timeout=60)
            server.quota.reset()
            go.set()
            time.sleep(1.5)
            outage_began = time.monotonic() - server.quota.epoch
            redis_server.kill() if fault == "kill" else redis_server.pause()
            time.sleep(3.0)
            outage_ended = time.monotonic() - server.quota.epoch
            redis_server.start() if fault == "kill" else redis_server.resume()
            time.sleep(2.5)
            probe = redis.Redis.from_url(redis_server.url)
            members = probe.zcard("{" + prefix + "}:members")
            windows = [k for k in probe.scan_iter(match="{" + prefix + "}:w:*") if probe.zcard(k)]
            probe.close()
            stop.set()
            reports = [results.get(timeout=60) for _ in processes]
        finally:
            stop.set()
            for p in processes:
                p.join(timeout=10)
                if p.is_alive():
                    p.kill()
        stats = server.quota.stats()
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    counts = [r["counts"] for r in reports]
    assert all(set(c) == {"calls", "ok"} and c["calls"] == c["ok"] for c in counts), counts
    assert stats["rejected"] == 0, (outage_began, outage_ended, stats["rejections"], reports)
    assert stats["accepted"] == sum(c["ok"] for c in counts)
    for requests, per in limits:
        assert_windows(stats["arrivals"], requests, per)
    during = [t for t in stats["arrivals"] if outage_began + 2.1 < t < outage_ended]
    assert during, "no request was made during the outage"
    assert all(r["outages"] >= 1 and r["warnings"] for r in reports), reports
    assert all(r["state"] == "shared" and r["participants"] == 4 for r in reports), reports
    assert members == 4 and len(windows) == 2


@pytest.mark.parametrize("pkg", ["replyio"])
def test_one_process_cut_off_from_redis_keeps_the_quota(
    pkg: str, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partial outage: 4 processes x 8 tasks, each reaching Redis through a TCP proxy of its own;
    one proxy is cut for 4 s (eight windows of 0.5 s) while the others still pass, then healed.
    The cut-off process goes on alone at its share, the others keep that share free once they see
    it silent, and it rejoins: no call fails, the server answers no 429, the cut-off process makes
    requests alone and warns, the others never lose Redis."""
    import sys

    quota_server = _quota_server()
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.syspath_prepend(str(HERE.parent / "reliability"))
    import _redis_worker
    from _proxy import FaultProxy

    limits = [(10, 0.5), (30, 2.0)]
    ctx = multiprocessing.get_context("spawn")
    ready, results, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    prefix = f"test:{uuid.uuid4().hex}"
    proxies = [FaultProxy(("127.0.0.1", redis_server.port)).start() for _ in range(4)]
    urls = [f"redis://127.0.0.1:{proxy.port}/0" for proxy in proxies]
    try:
        with quota_server.QuotaServer(limits, integer_retry_after=False) as server:
            processes = [
                ctx.Process(
                    target=_redis_worker.run_through_outage,
                    args=(pkg, url, prefix, server.url, limits, OPTIONS, 8, 2000, ready, go, stop, results),
                )
                for url in urls
            ]
            try:
                for p in processes:
                    p.start()
                for _ in processes:
                    ready.get(timeout=60)
                server.quota.reset()
                go.set()
                time.sleep(1.5)
                cut_at = time.monotonic()
                proxies[0].cut()
                time.sleep(4.0)
                proxies[0].heal()
                healed_at = time.monotonic()
                time.sleep(3.0)
                stop.set()
                reports = {r["redis_url"]: r for r in (results.get(timeout=60) for _ in processes)}
            finally:
                stop.set()
                for p in processes:
                    p.join(timeout=10)
                    if p.is_alive():
                        p.kill()
            stats = server.quota.stats()
    finally:
        for proxy in proxies:
            proxy.stop()
    assert [p.exitcode for p in processes] == [0, 0, 0, 0], sys.stderr
    cut_off, others = reports[urls[0]], [reports[url] for url in urls[1:]]
    counts = [r["counts"] for r in reports.values()]
    assert all(set(c) == {"calls", "ok"} and c["calls"] == c["ok"] for c in counts), counts
    assert stats["rejected"] == 0, (cut_at - server.quota.epoch, stats["rejections"], reports)
    assert stats["accepted"] == sum(c["ok"] for c in counts)
    for requests, per in limits:
        assert_windows(stats["arrivals"], requests, per)
    assert cut_off["outages"] == 1 and any("Redis unavailable" in w for w in cut_off["warnings"])
    assert [t for t in cut_off["done_at"] if cut_at < t < healed_at], "no request alone"
    assert all(r["outages"] == 0 for r in others), others
    assert all(r["state"] == "shared" and r["participants"] == 4 for r in reports.values()), reports


def test_the_outage_warning_names_no_password(
    rl: ModuleType, rlr: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    """A Redis URL may carry a password; the warning, the repr and the error never show it."""
    from ._redis_server import free_port

    lim = rlr.RedisRateLimiter(
        [rl.RateLimit(5, 1.0)], url=f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0", socket_timeout=0.2
    )
    with caplog.at_level(logging.DEBUG):
        lim.acquire()
    assert lim.state == "local"
    text = " ".join(r.getMessage() for r in caplog.records) + repr(lim)
    assert "Redis unavailable" in text and "s3cret-pass" not in text
    lim.close()
