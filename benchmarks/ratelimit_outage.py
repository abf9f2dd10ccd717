"""Redis outage benchmark: 4 processes x 8 tasks share one quota through `RedisRateLimiter`
while Redis is killed (and restarted empty) or paused with SIGSTOP, then comes back.

The server (`_quota_server.py`, in its own process) enforces 10 per 1 s and 30 per 4 s and
answers 429 beyond them. Each process runs the generated async Reply.io client
(`client.whoami.retrieve()`) with a `RedisRateLimiter` of the same windows (defaults:
socket_timeout 1 s, probe_interval 1 s, fail_open) until the run ends. Per phase (before, during
and after the outage) it prints the requests the server accepted, the 429s it sent and the
utilisation: accepted / what a perfect client could have started in that phase after the
requests the server really accepted before it; then the
calls lost, the warnings, and how long the processes took to go on alone and to rejoin.
Targets: 0 lost and 0 x 429 in every phase.

`partial`: Redis stays up, but one of the 4 processes is cut off from it (each reaches Redis
through a loopback TCP proxy of its own; that one proxy resets every connection for the outage):
it goes on alone at its share while the others keep that share free.

`client` (not part of `all`): Redis stays up, and the process that joined first (Redis answered
it 1 participant) is SIGKILLed half a second after the start: no close(), no finalizer. The
others keep free for it what it may be using if it were only cut off, until its registration
expires (participant_ttl, 60 s; the "outage" phase): a quarter of the quota once it had told
Redis it holds 4, all of it (1 request per window) while its divisor was still recorded as 1.

    .venv/bin/python benchmarks/ratelimit_outage.py [--before 8.5] [--outage 16] [--after 12]
        [--fault kill|pause|partial|all|client]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import logging
import math
import multiprocessing
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ratelimit import (  # noqa: E402
    WINDOWS,
    RedisProcess,
    ServerProcess,
    _import_package,
    _limits,
    _warm_async_client,
)

PROCESSES = 4
TASKS = 8
PROXY = Path(__file__).resolve().parents[1] / "tests" / "reliability" / "_proxy.py"


def _fault_proxy() -> Any:
    """The loopback TCP proxy of the fault tests (it can cut a link and heal it)."""
    spec = importlib.util.spec_from_file_location("_bench_fault_proxy", PROXY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.FaultProxy


def perfect_starts(
    until: float, windows: Sequence[tuple[int, float]], history: Sequence[float] = (), since: float = 0.0
) -> list[float]:
    """The starts in [since, until) of a client that, after the requests of `history` (all before
    `since`), starts every request as early as the windows allow."""
    starts = sorted(history)
    first = len(starts)
    while True:
        t = max(since, starts[-1]) if starts else since  # starts never go back: the latest matter
        changed = True
        while changed:
            changed = False
            for requests, per in windows:
                inside = [s for s in starts[-requests:] if t - per < s <= t]
                if len(inside) >= requests:
                    t = inside[0] + per
                    changed = True
        if t >= until:
            return starts[first:]
        starts.append(t)


def _worker(url: str, redis_url: str, prefix: str, ready: Any, go: Any, stop: Any, results: Any) -> None:
    pkg = _import_package()
    module = importlib.import_module(f"{pkg.__name__}._ratelimit_redis")
    limiter = module.RedisRateLimiter(_limits(pkg, True), url=redis_url, key_prefix=prefix)
    events: list[tuple[float, str]] = []

    class Events(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.INFO:
                events.append((time.monotonic(), record.getMessage()))

    limiter.logger.addHandler(Events())
    limiter.logger.setLevel(logging.INFO)
    counts = {"completed": 0, "lost": 0}
    # Which process received each 429, and when (on the shared monotonic clock): the one to look at.
    refused: list[float] = []

    async def on_response(response: httpx.Response) -> None:
        if response.status_code == 429:
            refused.append(time.monotonic())

    async def main() -> None:
        await limiter.aping()
        async with _warm_async_client(url) as http:
            http.event_hooks["response"] = [on_response]
            client = pkg.AsyncReply(api_key="bench", base_url=url, rate_limits=limiter, http_client=http, max_wait=120)
            await client.whoami.retrieve()  # lazy imports and a first slot: not measured
            ready.put((time.monotonic(), os.getpid()))  # joined then (`client` kills the first)
            while not go.is_set():
                await asyncio.sleep(0.001)

            async def calls() -> None:
                for _ in range(100_000):  # bounded; the run ends with `stop`
                    if stop.is_set():
                        return
                    try:
                        await client.whoami.retrieve()
                        counts["completed"] += 1
                    except pkg.APIError:
                        counts["lost"] += 1

            await asyncio.gather(*(calls() for _ in range(TASKS)))
            await limiter.aclose()

    asyncio.run(main())
    results.put({**counts, "outages": limiter.outages, "state": limiter.state, "events": events, "refused": refused})


def run(fault: str, before: float, outage: float, after: float) -> dict[str, Any]:
    binary = shutil.which("redis-server")
    assert binary is not None
    redis = RedisProcess(binary)
    server = ServerProcess(WINDOWS)
    ctx = multiprocessing.get_context("spawn")
    ready, results, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    prefix = f"bench:{uuid.uuid4().hex}"
    proxies: list[Any] = []
    urls = [redis.url] * PROCESSES
    if fault == "partial":
        proxy_class = _fault_proxy()
        proxies = [proxy_class(("127.0.0.1", redis.port)).start() for _ in range(PROCESSES)]
        urls = [f"redis://127.0.0.1:{proxy.port}/0" for proxy in proxies]
    workers = [ctx.Process(target=_worker, args=(server.url, url, prefix, ready, go, stop, results)) for url in urls]
    try:
        for w in workers:
            w.start()
        joined = sorted(ready.get(timeout=60) for _ in workers)
        server.reset()
        go.set()
        epoch = server.stats()["epoch"]
        time.sleep(before)
        down = time.monotonic()
        if fault == "partial":
            proxies[0].cut()
        elif fault == "client":
            os.kill(joined[0][1], signal.SIGKILL)
        else:
            redis.kill() if fault == "kill" else redis.pause()
        time.sleep(outage)
        if fault == "partial":
            proxies[0].heal()
        elif fault != "client":
            redis.start() if fault == "kill" else redis.resume()
        back = time.monotonic()
        time.sleep(after)
        end = time.monotonic()
        stop.set()
        reports = [results.get(timeout=120) for _ in workers[1 if fault == "client" else 0 :]]
        for w in workers:
            w.join(timeout=30)
        stats = server.stats()
    finally:
        stop.set()
        for w in workers:
            if w.is_alive():
                w.kill()
        server.close()
        for proxy in proxies:
            proxy.stop()
        redis.close()
    return {
        "fault": fault,
        "down": down - epoch,
        "back": back - epoch,
        "end": end - epoch,
        "arrivals": stats["arrivals"],
        "rejections": stats["rejections"],
        "reports": [
            {**r, "events": [(t - epoch, m) for t, m in r["events"]], "refused": [t - epoch for t in r["refused"]]}
            for r in reports
        ],
    }


def report(result: dict[str, Any]) -> bool:
    down, back, end = result["down"], result["back"], result["end"]
    arrivals, rejections = sorted(result["arrivals"]), result["rejections"]
    what = {
        "kill": "killed, restarted empty",
        "pause": "paused (SIGSTOP / SIGCONT)",
        "partial": "cut off from 1 of the processes (the others still reach it)",
        "client": "up; the process that joined first SIGKILLed, its registration left to expire,",
    }[result["fault"]]
    print(f"\nRedis {what} from {down:.1f} s to {back:.1f} s; {PROCESSES} processes x {TASKS} tasks")
    print(f"{'phase':<8} {'from s':>7} {'to s':>7} {'accepted':>9} {'429s':>5} {'utilisation':>11}")
    for name, a, b in (("before", 0.0, down), ("outage", down, back), ("after", back, end)):
        got = sum(a <= t < b for t in arrivals)
        refused = sum(a <= t < b for t in rejections)
        ideal = len(perfect_starts(b, WINDOWS, [t for t in arrivals if t < a], a))
        print(f"{name:<8} {a:>7.1f} {b:>7.1f} {got:>9} {refused:>5} {got / ideal if ideal else 0:>11.3f}")
    reports = result["reports"]
    lost = sum(r["lost"] for r in reports)
    completed = sum(r["completed"] for r in reports)
    warned = sum(any("Redis unavailable" in m for _, m in r["events"]) for r in reports)
    alone = [min((t for t, m in r["events"] if "Redis unavailable" in m), default=float("nan")) for r in reports]
    rejoined = [
        min((t for t, m in r["events"] if "answers again" in m and t >= back), default=float("nan")) for r in reports
    ]
    first_during = min((t for t in arrivals if down <= t < back), default=float("nan"))
    print(
        f"calls: {completed} completed, {lost} lost (arrivals at the server: {len(arrivals)}); "
        f"{warned} of {len(reports)} processes warned; outages seen: {[r['outages'] for r in reports]}; "
        f"final states: {sorted({r['state'] for r in reports})}"
    )
    if result["fault"] != "client":  # nobody goes on alone
        print(
            f"went on alone {max(filter(math.isfinite, alone), default=math.nan) - down:.2f} s after Redis went away (the last process); first request "
            f"during the outage at +{first_during - down:.2f} s; rejoined {max(filter(math.isfinite, rejoined), default=math.nan) - back:.2f} s after it came back"
        )
    for index, r in enumerate(reports):
        if r["refused"]:
            times = ", ".join(f"{t:.2f}" for t in r["refused"])
            print(f"429s received by process {index} (outages seen: {r['outages']}) at {times} s")
    return lost == 0 and not rejections


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Half a second off the whole seconds at which a perfect client's bursts fall.
    parser.add_argument("--before", type=float, help="seconds before the outage (8.5; client: 0.5)")
    parser.add_argument("--outage", type=float, help="seconds Redis is away (16: 4 windows of 4 s; client: 61)")
    parser.add_argument("--after", type=float, default=12.0, help="seconds after it is back")
    parser.add_argument("--fault", choices=["kill", "pause", "partial", "all", "client"], default="all")
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None or importlib.util.find_spec("redis") is None:
        print("redis-server or redis-py not installed: outage benchmark skipped")
        return 0
    windows = ", ".join(f"{r} per {p:g} s" for r, p in WINDOWS)
    print(f"quota: {windows}; utilisation = accepted / what a perfect client could start in the phase")
    print("(a perfect client that starts each phase from the requests the server accepted before it)")
    ok = True
    for fault in ("kill", "pause", "partial") if args.fault == "all" else (args.fault,):
        before = args.before if args.before is not None else 0.5 if fault == "client" else 8.5
        outage = args.outage if args.outage is not None else 61.0 if fault == "client" else 16.0
        ok = report(run(fault, before, outage, args.after)) and ok
    print("targets (0 lost, 0 x 429 in every phase):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
