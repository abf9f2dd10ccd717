"""Rate-limit benchmark: does the generated client stay under a quota and use it fully?

A loopback server (`_quota_server.py`, in its own process) enforces a scaled quota with two
sliding windows, 10 per 1 s and 30 per 4 s, and answers 429 + `Retry-After` beyond them.
Each scenario sends the same number of `client.whoami.retrieve()` calls (GET /v3/whoami) with
the generated Reply.io client:

* async client, 30 tasks / sync client, 6 threads: `rate_limits` set to the server's windows,
  then `rate_limits=[]` (no client-side limiting; only 429 + Retry-After are honoured);
* 4 processes sharing one `RedisRateLimiter` (when `redis-server` is installed), and for
  contrast 4 processes each with its own in-memory `RateLimiter`.

Per scenario it prints requests completed, requests lost (raised after the client's
retries), 429s the server sent, wall time and utilisation = (time a perfect client needs
for the requests that completed) / (time taken). A perfect client starts every request at
the earliest instant the windows allow (for 60 requests: bursts of 10 at 0, 1, 2, 4, 5 and
6 s) and needs one round trip after its last start. Targets with limiting on: 0 lost,
0 x 429, utilisation >= 0.95. Clients are warmed up (lazy imports, one open connection)
before the clock starts: that one-time cost is no part of rate limiting.

With `--busy [N]` it runs N CPU-bound processes (default 1) beside it, to show the limiter keeps
the quota and its utilisation while the machine is loaded.

    .venv/bin/python benchmarks/ratelimit.py [--requests 60] [--skip-redis] [--busy [N]]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import importlib.util
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVER_SCRIPT = Path(__file__).resolve().parent / "_quota_server.py"
WINDOWS: list[tuple[int, float]] = [(10, 1.0), (30, 4.0)]
PACKAGE = "replyio"


def _import_package() -> Any:
    try:
        return importlib.import_module(PACKAGE)
    except ImportError:
        sys.path.insert(0, str(ROOT / "generated" / "reply" / "src"))
        return importlib.import_module(PACKAGE)


# --------------------------------------------------------------------------- helpers


def perfect_last_start(n: int, windows: Sequence[tuple[int, float]]) -> float:
    """Start of the n-th request when every request starts as early as the windows allow."""
    starts: list[float] = []
    for _ in range(n):
        t = 0.0
        changed = True
        while changed:
            changed = False
            for requests, per in windows:
                inside = [s for s in starts if t - per < s <= t]
                if len(inside) >= requests:
                    t = sorted(inside)[len(inside) - requests] + per
                    changed = True
        starts.append(t)
    return max(starts)


@dataclass
class Result:
    name: str
    completed: int
    lost: int
    rejected: int
    seconds: float
    round_trip: float

    @property
    def perfect(self) -> float:
        """What a perfect client needs for the requests that completed."""
        return perfect_last_start(self.completed, WINDOWS) + self.round_trip if self.completed else 0.0

    @property
    def utilisation(self) -> float:
        return self.perfect / self.seconds if self.seconds > 0 else 0.0

    def row(self) -> str:
        return (
            f"{self.name:<44} {self.completed:>9} {self.lost:>5} {self.rejected:>6} "
            f"{self.seconds:>8.2f} {self.utilisation:>11.3f}"
        )


HEADER = f"{'scenario':<44} {'completed':>9} {'lost':>5} {'429s':>6} {'wall s':>8} {'utilisation':>11}"


class ServerProcess:
    """`_quota_server.py` in a child process, so its threads do not share our GIL."""

    def __init__(self, windows: Sequence[tuple[int, float]]) -> None:
        spec = ",".join(f"{r}/{p:g}" for r, p in windows)
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "--windows", spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            msg = f"quota server did not start: {line!r}"
            raise RuntimeError(msg)
        self.url = f"http://127.0.0.1:{line[1]}"
        self.http = httpx.Client(base_url=self.url, timeout=10.0)

    def reset(self) -> None:
        self.http.post("/__reset").raise_for_status()

    def stats(self) -> dict[str, Any]:
        response = self.http.get("/__stats")
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats

    def round_trip(self) -> float:
        """Best of a few uncounted round trips: what a perfect client pays after its last start."""
        best = float("inf")
        with httpx.Client(base_url=self.url) as http:
            for _ in range(20):
                began = time.perf_counter()
                http.get("/__stats")
                best = min(best, time.perf_counter() - began)
        return best

    def close(self) -> None:
        self.http.close()
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class RedisProcess:
    """A throwaway redis-server on a free loopback port, without persistence: `kill()` then
    `start()` brings it back empty; `pause()` / `resume()` are SIGSTOP / SIGCONT."""

    def __init__(self, binary: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.binary = binary
        self.dir = tempfile.TemporaryDirectory()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", self.dir.name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=5)
        self.dir.cleanup()


@contextlib.asynccontextmanager
async def _warm_async_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client that has already sent one (uncounted) request: the first request of a
    process pays for lazy imports and a connection, which is no part of rate limiting."""
    async with httpx.AsyncClient(timeout=60.0) as http:
        (await http.get(f"{url}/__stats")).raise_for_status()
        yield http


@contextlib.contextmanager
def _warm_sync_client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60.0) as http:
        http.get(f"{url}/__stats").raise_for_status()
        yield http


def _limits(pkg: Any, enabled: bool) -> list[Any]:
    return [pkg.RateLimit(requests=r, per=p) for r, p in WINDOWS] if enabled else []


# --------------------------------------------------------------------------- scenarios


async def _async_calls(client: Any, n: int, tasks: int) -> tuple[int, int]:
    """n calls of `client.whoami.retrieve()` shared by `tasks` tasks: (completed, lost)."""
    pkg = _import_package()
    todo = iter(range(n))
    completed = lost = 0

    async def worker() -> None:
        nonlocal completed, lost
        for _ in todo:
            try:
                await client.whoami.retrieve()
                completed += 1
            except pkg.APIError:
                lost += 1

    await asyncio.gather(*(worker() for _ in range(tasks)))
    return completed, lost


def run_async(server: ServerProcess, n: int, tasks: int, enabled: bool, round_trip: float) -> Result:
    pkg = _import_package()

    async def main() -> tuple[int, int, float]:
        async with _warm_async_client(server.url) as http:
            client = pkg.AsyncReply(
                api_key="bench", base_url=server.url, rate_limits=_limits(pkg, enabled), http_client=http
            )
            _ = client.whoami  # resources are imported lazily: not part of the measurement
            server.reset()
            began = time.monotonic()
            completed, lost = await _async_calls(client, n, tasks)
            return completed, lost, time.monotonic() - began

    completed, lost, seconds = asyncio.run(main())
    name = f"async, {tasks} tasks, " + ("limits = server windows" if enabled else "rate_limits=[]")
    return Result(name, completed, lost, server.stats()["rejected"], seconds, round_trip)


def run_threads(server: ServerProcess, n: int, threads: int, enabled: bool, round_trip: float) -> Result:
    pkg = _import_package()
    server.reset()
    todo = iter(range(n))
    guard = threading.Lock()
    counts = {"completed": 0, "lost": 0}
    with _warm_sync_client(server.url) as http:
        client = pkg.Reply(api_key="bench", base_url=server.url, rate_limits=_limits(pkg, enabled), http_client=http)
        _ = client.whoami  # resources are imported lazily: not part of the measurement

        def worker() -> None:
            while True:
                with guard:
                    if next(todo, None) is None:
                        return
                try:
                    client.whoami.retrieve()
                    key = "completed"
                except pkg.APIError:
                    key = "lost"
                with guard:
                    counts[key] += 1

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        began = time.monotonic()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        seconds = time.monotonic() - began
    name = f"sync, {threads} threads, " + ("limits = server windows" if enabled else "rate_limits=[]")
    return Result(name, counts["completed"], counts["lost"], server.stats()["rejected"], seconds, round_trip)


def _process_worker(
    kind: str,
    url: str,
    redis_url: str | None,
    prefix: str,
    n: int,
    tasks: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    pkg = _import_package()
    limits = _limits(pkg, True)
    if kind == "redis":
        redis_module = importlib.import_module(f"{PACKAGE}._ratelimit_redis")
        limiter: Any = redis_module.RedisRateLimiter(limits, url=redis_url, key_prefix=prefix, fail_open=False)
        limiter.ping()
    else:
        limiter = pkg.RateLimiter(limits)

    async def main() -> tuple[int, int, float, float]:
        if kind == "redis":
            await limiter.aping()
        async with _warm_async_client(url) as http:
            client = pkg.AsyncReply(api_key="bench", base_url=url, rate_limits=limiter, http_client=http)
            _ = client.whoami
            ready.put(True)
            while not go.is_set():
                await asyncio.sleep(0.001)
            began = time.monotonic()
            completed, lost = await _async_calls(client, n, tasks)
            return completed, lost, began, time.monotonic()

    results.put(asyncio.run(main()))


def run_processes(
    server: ServerProcess, kind: str, redis_url: str | None, n: int, procs: int, round_trip: float
) -> Result:
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    prefix = f"bench:{uuid.uuid4().hex}"
    share = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
    workers = [
        ctx.Process(target=_process_worker, args=(kind, server.url, redis_url, prefix, k, 8, ready, go, results))
        for k in share
    ]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get(timeout=60)
    server.reset()
    go.set()
    outcomes = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=10)
    # From the first request of any process (a perfect client starts at once too; the
    # processes take a few ms to notice `go`) to the last response.
    seconds = max(end for *_, end in outcomes) - min(start for _, _, start, _ in outcomes)
    label = "shared RedisRateLimiter" if kind == "redis" else "one RateLimiter per process"
    return Result(
        f"{procs} processes x 8 tasks, {label}",
        sum(c for c, *_ in outcomes),
        sum(lost for _, lost, *_ in outcomes),
        server.stats()["rejected"],
        seconds,
        round_trip,
    )


def _spin(stop: Any) -> None:
    """CPU-bound work until `stop` is set: keeps one CPU busy beside the benchmark."""
    x = 0
    while not stop.is_set():
        for _ in range(200_000):
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648


@contextlib.contextmanager
def busy_machine(processes: int) -> Iterator[None]:
    """Run `processes` CPU-bound processes beside the block."""
    if processes <= 0:
        yield
        return
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    spinners = [ctx.Process(target=_spin, args=(stop,), daemon=True) for _ in range(processes)]
    for p in spinners:
        p.start()
    time.sleep(0.5)  # let them get going
    try:
        yield
    finally:
        stop.set()
        for p in spinners:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="client-side rate limiting benchmark")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--busy",
        type=int,
        nargs="?",
        const=1,
        default=0,
        metavar="N",
        help="run N CPU-bound processes beside the benchmark (1 when no N is given)",
    )
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--skip-off", action="store_true", help="skip the rate_limits=[] scenarios")
    args = parser.parse_args(argv)
    _import_package()

    if args.busy:
        print(f"machine busy: {args.busy} CPU-bound process(es) beside the benchmark, {os.cpu_count()} CPUs")
    with busy_machine(args.busy):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    server = ServerProcess(WINDOWS)
    try:
        latency = server.round_trip()
        windows = ", ".join(f"{r} per {p:g} s" for r, p in WINDOWS)
        ideal = perfect_last_start(args.requests, WINDOWS) + latency
        print(f"quota: {windows}; {args.requests} requests; a perfect client needs {ideal:.3f} s")
        print("(utilisation compares with what a perfect client needs for the requests that completed)")
        print(HEADER)
        results: list[Result] = []

        def show(result: Result) -> None:
            results.append(result)
            print(result.row(), flush=True)

        show(run_async(server, args.requests, 30, True, latency))
        show(run_threads(server, args.requests, 6, True, latency))
        if not args.skip_off:
            show(run_async(server, args.requests, 30, False, latency))
            show(run_threads(server, args.requests, 6, False, latency))
        redis_binary = shutil.which("redis-server")
        if args.skip_redis:
            pass
        elif redis_binary is None or importlib.util.find_spec("redis") is None:
            print("(redis-server or redis-py not installed: multi-process Redis scenario skipped)")
        else:
            redis = RedisProcess(redis_binary)
            try:
                show(run_processes(server, "redis", redis.url, args.requests, args.processes, latency))
            finally:
                redis.close()
            if not args.skip_off:
                show(run_processes(server, "local", None, args.requests, args.processes, latency))
    finally:
        server.close()

    limited = [r for r in results if "server windows" in r.name or "Redis" in r.name]
    misses = [r.name for r in limited if r.lost or r.rejected or r.utilisation < 0.95 or r.completed != args.requests]
    print(
        "targets (limiting on: 0 lost, 0 x 429, utilisation >= 0.95):", "met" if not misses else f"MISSED by {misses}"
    )
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
