"""Worker process for test_redis.py (started with multiprocessing, spawn).

Imported as a top-level module (its directory is put on sys.path, which spawn hands to
the child), so the child can unpickle `run` whatever pytest's import mode is.
"""

from __future__ import annotations

import importlib
import threading
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
