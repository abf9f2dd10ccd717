"""Worker process for test_redis.py (started with multiprocessing, spawn).

Imported as a top-level module (its directory is put on sys.path, which spawn hands to
the child), so the child can unpickle `run` whatever pytest's import mode is.
"""

from __future__ import annotations

import importlib
import threading
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

import httpx


def run(
    pkg: str,
    redis_url: str,
    key_prefix: str,
    base_url: str,
    limits: list[tuple[int, float]],
    margin: float,
    threads: int,
    per_thread: int,
    ready: Queue[Any],
    go: Event,
    results: Queue[Any],
) -> None:
    rl = importlib.import_module(f"{pkg}._ratelimit")
    rlr = importlib.import_module(f"{pkg}._ratelimit_redis")
    limiter = rlr.RedisRateLimiter(
        [rl.RateLimit(r, p) for r, p in limits],
        url=redis_url,
        key_prefix=key_prefix,
        margin=margin,
        fail_open=False,
    )
    limiter.ping()
    counts = {"ok": 0, "429": 0, "failed": 0}
    guard = threading.Lock()

    def worker(http: httpx.Client) -> None:
        for _ in range(per_thread):
            for _attempt in range(20):
                limiter.acquire(None)
                response = http.get("/v3/whoami")
                limiter.observe(None, response.status_code, response.headers)
                if response.status_code != 429:
                    break
                with guard:
                    counts["429"] += 1
            with guard:
                counts["ok" if response.status_code == 200 else "failed"] += 1

    with httpx.Client(base_url=base_url, timeout=10.0) as http:
        http.get("/__stats")  # open the connection before the race starts
        pool = [threading.Thread(target=worker, args=(http,)) for _ in range(threads)]
        ready.put(True)
        go.wait(30)
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    limiter.close()
    results.put(counts)


def run_through_outage(
    pkg: str,
    redis_url: str,
    key_prefix: str,
    base_url: str,
    limits: list[tuple[int, float]],
    options: dict[str, Any],
    tasks: int,
    max_calls: int,
    ready: Queue[Any],
    go: Event,
    stop: Event,
    results: Queue[Any],
) -> None:
    """`tasks` asyncio tasks calling the generated async client (rate_limits: a RedisRateLimiter
    that fails open) until `stop` is set or `max_calls` were made; reports what happened."""
    import asyncio
    import logging
    from collections import Counter

    module = importlib.import_module(pkg)
    rlr = importlib.import_module(f"{pkg}._ratelimit_redis")
    limiter = rlr.RedisRateLimiter(
        [module.RateLimit(r, p) for r, p in limits], url=redis_url, key_prefix=key_prefix, **options
    )
    warnings: list[str] = []

    log: list[str] = []
    began = time.monotonic()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())
            if record.levelno >= logging.INFO:
                log.append(f"{time.monotonic() - began:.3f} {record.getMessage()}")

    limiter.logger.addHandler(Collect())
    limiter.logger.setLevel(logging.INFO)
    counts: Counter[str] = Counter()

    async def main() -> None:
        await limiter.aping()
        async with httpx.AsyncClient(timeout=30.0) as http:
            (await http.get(f"{base_url}/__stats")).raise_for_status()  # one open connection, warm
            name = "AsyncReply" if pkg == "replyio" else "AsyncReloop"
            client = getattr(module, name)(
                api_key="test-key", base_url=base_url, rate_limits=limiter, http_client=http, max_wait=120
            )
            call = (lambda: client.whoami.retrieve()) if pkg == "replyio" else (lambda: client.domains.retrieve("d"))
            await call()  # imports the resource and its models; not counted
            ready.put(True)
            while not go.is_set():
                await asyncio.sleep(0.005)
            nonlocal began
            began = time.monotonic()

            async def worker() -> None:
                while not stop.is_set() and counts["calls"] < max_calls:
                    counts["calls"] += 1
                    try:
                        await call()
                        counts["ok"] += 1
                        done_at.append(time.monotonic())
                    except module.APIError as exc:
                        counts[type(exc).__name__] += 1
                # when the run ends: closed limiters leave the registry, and the others count fewer
                if not seen:
                    seen.update(state=limiter.state, participants=limiter.participants)

            await asyncio.gather(*(worker() for _ in range(tasks)))
            await limiter.aclose()

    seen: dict[str, Any] = {}
    done_at: list[float] = []
    asyncio.run(main())
    results.put(
        {
            "redis_url": redis_url,
            "counts": dict(counts),
            "outages": limiter.outages,
            **seen,
            "warnings": warnings,
            "log": log,
            "done_at": done_at,
        }
    )
