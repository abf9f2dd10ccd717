"""Soak benchmark: many calls through each generated client against a loopback server that
injects faults or enforces a quota; every outcome is checked against the server's own records.

For each package (Reply.io, Reloop) and each client (sync with 16 threads, async with 200 tasks)
it makes `--requests` calls (default 20,000; every fourth a POST, the others GETs), each tagged
with an `X-Soak-Id` header, through a client built as users build it (own connection pool,
default retries). The server (`_soak_server.py`, its own process) records what it did with
every request it received, per id. Two modes:

* faults: the server answers 200, 429 (`Retry-After` 0.02 s), 503 (half with `Retry-After`) or
  drops the connection after reading the request. Checked per call: it ended with a result or
  with the error class of its last answer; no attempt was made beyond what the retry policy
  allows, none the policy would have made is missing (a GET gives up only after its retries; a
  POST after a drop, which may have applied it, or after its retries), no POST was applied
  (answered 2xx or dropped after it was read) twice;
* quota: no faults, the server enforces 200 per 0.2 s and 1,500 per 2 s and answers 429 beyond;
  the clients' `rate_limits` are those windows: 0 x 429 expected.

Both: no call hangs (each is bounded by the client's timeouts; the run has a deadline), RSS
grows by less than 20 MB from the end of the first 5,000 calls to the end of the last, and no
thread or task is left behind. Figures only; nothing here is timed. The async clients are slower
than the sync ones here: with 200 requests queued on one pool, httpcore 1.0 spends most of the
time in `_assign_requests_to_connections`, which is O(queued x connections) per request
(encode/httpcore#1035), raw httpx as much as the generated client.

    .venv/bin/python benchmarks/soak.py [--requests 20000] [--mode faults|quota|both]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVER = Path(__file__).resolve().parent / "_soak_server.py"
QUOTA = [(200, 0.2), (1500, 2.0)]
MAX_RETRIES = 2
ERROR_OF = {"429": "RateLimitError", "503": "ServiceUnavailableError", "drop": "APIConnectionError"}
CLIENTS = {"replyio": ("Reply", "AsyncReply"), "reloop": ("Reloop", "AsyncReloop")}


def _import(pkg: str) -> Any:
    try:
        return importlib.import_module(pkg)
    except ImportError:
        folder = "reply" if pkg == "replyio" else pkg
        sys.path.insert(0, str(ROOT / "generated" / folder / "src"))
        return importlib.import_module(pkg)


def _checkpoint(calls: int) -> int:
    """The call after which RSS is first sampled: the end of the first 5,000 (a quarter of a
    shorter run)."""
    return min(5000, max(1, calls // 4))


def rss_mb() -> float:
    """Resident set size of this process, in MB (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


class Server:
    def __init__(self, mode: str) -> None:
        windows = ",".join(f"{r}/{p:g}" for r, p in QUOTA)
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), "--mode", mode, "--windows", windows],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            raise RuntimeError(f"soak server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{line[1]}"

    def control(self, method: str, path: str) -> Any:
        response = httpx.request(method, self.url + path, timeout=60.0)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _call(pkg: str, client: Any, index: int, soak_id: str) -> Any:
    headers = {"X-Soak-Id": soak_id}
    post = index % 4 == 3
    if pkg == "replyio":
        if post:
            return client.contacts.create(email="ada@example.com", extra_headers=headers)
        return client.whoami.retrieve(extra_headers=headers)
    if post:
        return client.mail.send(
            from_="a@example.com", to=["b@example.com"], subject="Hi", html="<p>x</p>", extra_headers=headers
        )
    return client.domains.retrieve("dom_1", extra_headers=headers)


@dataclass
class Run:
    mode: str
    pkg: str
    kind: str
    calls: int
    results: list[str | None]
    seconds: float
    rss: list[float]
    left_over: int
    figures: dict[str, Any] = field(default_factory=dict)


def _client(pkg: str, kind: str, mode: str, url: str) -> Any:
    module = _import(pkg)
    limits = [module.RateLimit(r, p) for r, p in QUOTA] if mode == "quota" else []
    cls = getattr(module, CLIENTS[pkg][1 if kind == "async" else 0])
    return cls(api_key="soak-key", base_url=url, rate_limits=limits, max_retries=MAX_RETRIES, max_wait=30.0)


def run_sync(pkg: str, mode: str, url: str, calls: int, threads: int, deadline: float) -> Run:
    module = _import(pkg)
    results: list[str | None] = [None] * calls
    rss: list[float] = []
    guard = threading.Lock()
    state = {"next": 0, "done": 0}
    before = threading.active_count()
    client = _client(pkg, "sync", mode, url)

    def worker() -> None:
        while True:
            with guard:
                index = state["next"]
                state["next"] += 1
            if index >= calls or time.monotonic() > deadline:
                return
            try:
                _call(pkg, client, index, f"{pkg}-sync-{index}")
                results[index] = "ok"
            except module.APIError as exc:
                results[index] = type(exc).__name__
            with guard:
                state["done"] += 1
                if state["done"] in (_checkpoint(calls), calls):
                    rss.append(rss_mb())

    pool = [threading.Thread(target=worker, name=f"soak-{i}") for i in range(threads)]
    began = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join(max(1.0, deadline - time.monotonic() + 60.0))
    seconds = time.monotonic() - began
    client.close()
    left = threading.active_count() - before
    return Run(mode, pkg, f"sync, {threads} threads", calls, results, seconds, rss, left)


def run_async(pkg: str, mode: str, url: str, calls: int, tasks: int, deadline: float) -> Run:
    module = _import(pkg)
    results: list[str | None] = [None] * calls
    rss: list[float] = []
    before = threading.active_count()

    async def main() -> tuple[float, int]:
        client = _client(pkg, "async", mode, url)
        todo = iter(range(calls))
        done = 0

        async def worker() -> None:
            nonlocal done
            for index in todo:
                if time.monotonic() > deadline:
                    return
                try:
                    await _call(pkg, client, index, f"{pkg}-async-{index}")
                    results[index] = "ok"
                except module.APIError as exc:
                    results[index] = type(exc).__name__
                done += 1
                if done in (_checkpoint(calls), calls):
                    rss.append(rss_mb())

        began = time.monotonic()
        workers = [asyncio.ensure_future(worker()) for _ in range(tasks)]
        _, pending = await asyncio.wait(workers, timeout=max(1.0, deadline - time.monotonic() + 60.0))
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        seconds = time.monotonic() - began
        await client.aclose()
        await asyncio.sleep(0)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return seconds, len(left)

    seconds, tasks_left = asyncio.run(main())
    left = tasks_left + threading.active_count() - before
    return Run(mode, pkg, f"async, {tasks} tasks", calls, results, seconds, rss, left)


def check(run: Run, outcomes: dict[str, list[str]]) -> None:
    """Compare every call's result with what the server did with each of its attempts."""
    prefix = f"{run.pkg}-{run.kind.split(',')[0]}-"
    breaches: Counter[str] = Counter()
    applied_twice = hung = maybe_applied = used_up = 0
    for index, got in enumerate(run.results):
        seen = outcomes.get(f"{prefix}{index}", [])
        post = index % 4 == 3
        if got is None:
            hung += 1
            continue
        if len(seen) > MAX_RETRIES + 1:
            breaches["more attempts than allowed"] += 1
        retryable = {"429", "503"} if post else {"429", "503", "drop"}
        if any(outcome not in retryable for outcome in seen[:-1]):
            breaches["resent what may have been applied"] += 1
        if post and sum(outcome in ("ok", "drop") for outcome in seen) > 1:
            applied_twice += 1
        last = seen[-1] if seen else None
        if got == "ok":
            if last != "ok":
                breaches["result without a 2xx"] += 1
        elif got != ERROR_OF.get(last or ""):
            breaches[f"{last} raised {got}"] += 1
        elif last in retryable and len(seen) < MAX_RETRIES + 1:
            breaches["given up although the policy retries"] += 1
        elif last in retryable:
            used_up += 1
        else:
            maybe_applied += 1  # a POST dropped after the server read it: not resent
    run.figures.update(
        breaches=breaches, applied_twice=applied_twice, hung=hung, maybe_applied=maybe_applied, used_up=used_up
    )


def row(run: Run, totals: dict[str, int]) -> str:
    results = Counter(r for r in run.results if r is not None)
    errors = ", ".join(f"{name} {count}" for name, count in sorted(results.items()) if name != "ok") or "-"
    growth = run.rss[-1] - run.rss[0] if len(run.rss) == 2 else float("nan")
    served = sum(totals.values())
    breaches = sum(run.figures["breaches"].values())
    return (
        f"{run.mode:<7} {run.pkg:<8} {run.kind:<17} {run.calls:>6} {results['ok']:>6} "
        f"{run.figures['used_up']:>7} {run.figures['maybe_applied']:>7} {breaches:>8} "
        f"{run.figures['applied_twice']:>7} {run.figures['hung']:>4} {served:>7} {totals.get('429', 0):>5} "
        f"{totals.get('503', 0):>5} {totals.get('drop', 0):>5} {run.seconds:>7.1f} {run.calls / run.seconds:>7.0f} "
        f"{growth:>7.1f} {run.left_over:>5}  {errors}"
    )


HEADER = (
    f"{'mode':<7} {'package':<8} {'client':<17} {'calls':>6} {'ok':>6} {'used up':>7} {'POST ?':>7} "
    f"{'breaches':>8} {'POST 2x':>7} {'hung':>4} "
    f"{'served':>7} {'429':>5} {'503':>5} {'drop':>5} {'wall s':>7} {'calls/s':>7} {'RSS +MB':>7} {'left':>5}  errors"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="calls per client")
    parser.add_argument("--mode", choices=["faults", "quota", "both"], default="both")
    parser.add_argument("--packages", default="replyio,reloop")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds per run before calls stop")
    args = parser.parse_args(argv)
    print(
        f"{args.requests} calls per client (every 4th a POST); faults: 90 % 200, 1 % 429, 5 % 503, 4 % dropped; "
        f"quota: {', '.join(f'{r} per {p:g} s' for r, p in QUOTA)}"
    )
    print("used up: failed after all retries; POST ?: POST dropped after the server read it, not resent (may")
    print("have been applied); breaches: outcomes the retry policy does not allow (by the server's records);")
    print("POST 2x: POSTs applied twice;")
    print("RSS +MB: growth from the end of the first 5,000 calls to the end; left: threads/tasks left over")
    print(HEADER)
    ok = True
    for mode in ("faults", "quota") if args.mode == "both" else (args.mode,):
        server = Server(mode)
        try:
            for pkg in args.packages.split(","):
                for kind in ("sync", "async"):
                    server.control("POST", "/__reset")
                    deadline = time.monotonic() + args.deadline
                    if kind == "sync":
                        run = run_sync(pkg, mode, server.url, args.requests, args.threads, deadline)
                    else:
                        run = run_async(pkg, mode, server.url, args.requests, args.tasks, deadline)
                    stats = server.control("GET", "/__stats")
                    check(run, stats["outcomes"])
                    print(row(run, stats["totals"]), flush=True)
                    growth = run.rss[-1] - run.rss[0] if len(run.rss) == 2 else 0.0
                    failed = sum(run.figures["breaches"].values()) or run.figures["applied_twice"]
                    failed = failed or run.figures["hung"] or growth >= 20.0 or run.left_over
                    if mode == "quota":
                        failed = failed or stats["totals"].get("429", 0) or Counter(run.results)["ok"] != run.calls
                    ok = ok and not failed
        finally:
            server.close()
    print("targets (0 breaches, 0 POST applied twice, 0 hung, RSS growth < 20 MB, nothing left over; quota: 0 x 429):")
    print("met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
