"""One RateLimiter shared by real threads and real asyncio tasks.

Where possible the clock is fake (threads reserving against a frozen clock, tasks on a
discrete-event virtual clock), so the assertions are exact. Two small tests use the real
clock with tiny windows (5 per 0.2 s) and check the recorded start times.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from types import ModuleType
from typing import Any

import pytest

from .test_policy import assert_windows

# Real-clock tests: spacing added to each window so that thread / task wake-up jitter on a
# busy CI machine cannot squeeze recorded starts closer than the window.
MARGIN = 0.1


class VirtualTime:
    """Discrete-event clock for asyncio: `sleep` parks the task until every other task is
    parked too, then time jumps to the earliest wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._queue: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (self.now + seconds, next(self._seq), future))
        await future

    async def run(self, coroutines: Sequence[Awaitable[Any]]) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(t.done() for t in tasks):
            for _ in range(50):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            self._queue = [e for e in self._queue if not e[2].cancelled()]
            heapq.heapify(self._queue)
            if not self._queue:
                continue
            wake, _, future = heapq.heappop(self._queue)
            self.now = max(self.now, wake)
            future.set_result(None)
        return [t.result() for t in tasks]


def make(rl: ModuleType, limits: list[Any], **kwargs: Any) -> Any:
    return rl.RateLimiter(limits, **kwargs)


# --------------------------------------------------------------------------- threads


def test_threads_get_distinct_slots_with_a_frozen_clock(rl: ModuleType) -> None:
    """8 threads x 25 acquires against a clock stuck at 0: every thread's reported wait is
    its slot. Together they must form exactly the sequential schedule."""
    limits = [rl.RateLimit(10, 1.0), rl.RateLimit(30, 4.0)]
    lim = make(rl, limits, clock=lambda: 0.0, sleep=lambda s: None, margin=0.0)
    starts: list[float] = []
    guard = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        mine = [lim.acquire() for _ in range(25)]
        with guard:
            starts.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sequential = rl.RateLimitPolicy(limits, margin=0.0)
    assert sorted(starts) == [sequential.reserve(None, 0.0) for _ in range(200)]
    assert_windows(starts, 10, 1.0)
    assert_windows(starts, 30, 4.0)


def test_threads_with_groups_and_holds_keep_every_window(rl: ModuleType) -> None:
    limits = [
        rl.RateLimit(6, 1.0),
        rl.RateLimit(2, 1.0, group="a"),
        rl.RateLimit(3, 2.0, group="b"),
    ]
    lim = make(rl, limits, clock=lambda: 0.0, sleep=lambda s: None, margin=0.0)
    records: list[tuple[str | None, float]] = []
    guard = threading.Lock()

    def worker(index: int) -> None:
        group = [None, "a", "b"][index % 3]
        for _ in range(20):
            waited = lim.acquire(group)
            with guard:
                records.append((group, waited))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(records) == 180
    assert_windows([t for _, t in records], 6, 1.0)
    assert_windows([t for g, t in records if g == "a"], 2, 1.0)
    assert_windows([t for g, t in records if g == "b"], 3, 2.0)


@pytest.mark.realclock
def test_threads_on_the_real_clock(rl: ModuleType) -> None:
    """6 threads x 2 requests, 5 per 0.2 s: recorded start times never exceed the window."""
    lim = make(rl, [rl.RateLimit(5, 0.5)], margin=MARGIN)
    recorded: list[float] = []
    guard = threading.Lock()
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait()
        for _ in range(2):
            lim.acquire()
            stamp = time.monotonic()
            with guard:
                recorded.append(stamp)

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    assert len(recorded) == 12
    assert_windows(recorded, 5, 0.5)
    assert 2 * (0.2 + MARGIN) <= elapsed < 2.0  # starts at 0, 0.24, 0.48


# --------------------------------------------------------------------------- asyncio


@pytest.mark.parametrize(
    ("latency", "bursts"),
    [
        (0.0, [0.0, 1.0, 2.0, 4.0, 5.0, 6.0]),  # the perfect client
        # Requests that take 50 ms count until their response: every window is measured
        # from the n-th previous response, the latest moment the server can count it.
        (0.05, [0.0, 1.05, 2.1, 4.05, 5.1, 6.15]),
    ],
)
def test_tasks_on_virtual_time_match_the_perfect_schedule(rl: ModuleType, latency: float, bursts: list[float]) -> None:
    """30 tasks share 60 requests under 10/1 s + 30/4 s: bursts of 10 at the earliest
    instants the windows allow, none exceeded."""
    vt = VirtualTime()
    lim = make(
        rl,
        [rl.RateLimit(10, 1.0), rl.RateLimit(30, 4.0)],
        clock=vt.clock,
        async_sleep=vt.sleep,
        margin=0.0,
    )
    todo = iter(range(60))
    starts: list[float] = []

    async def worker() -> None:
        for _ in todo:
            await lim.aacquire()
            starts.append(vt.now)
            if latency:
                await vt.sleep(latency)  # the request itself
            lim.observe(None, 200, {})

    asyncio.run(vt.run([worker() for _ in range(30)]))
    assert sorted(starts) == pytest.approx([b for b in bursts for _ in range(10)])
    assert_windows(starts, 10, 1.0)
    assert_windows(starts, 30, 4.0)


def test_tasks_requeue_behind_a_429_hold(rl: ModuleType) -> None:
    """Tasks already sleeping towards reserved slots are pushed behind a hold that a 429
    imposes meanwhile; none starts inside the hold."""
    vt = VirtualTime()
    lim = make(rl, [rl.RateLimit(5, 1.0)], clock=vt.clock, async_sleep=vt.sleep, margin=0.0)
    starts: list[float] = []

    async def worker(index: int) -> None:
        await lim.aacquire()
        starts.append(vt.now)
        if index == 0:
            await vt.sleep(0.5)
            lim.observe(None, 429, {"Retry-After": "3"})  # hold until 3.5
        else:
            lim.observe(None, 200, {})

    asyncio.run(vt.run([worker(i) for i in range(15)]))
    assert sorted(starts) == [0.0] * 5 + [3.5] * 5 + [4.5] * 5
    assert_windows(starts, 5, 1.0)


def test_tasks_with_groups_on_virtual_time(rl: ModuleType) -> None:
    vt = VirtualTime()
    lim = make(
        rl,
        [rl.RateLimit(8, 1.0), rl.RateLimit(2, 1.0, group="slow")],
        clock=vt.clock,
        async_sleep=vt.sleep,
        margin=0.0,
    )
    starts: list[tuple[str | None, float]] = []

    async def worker(group: str | None) -> None:
        for _ in range(4):
            await lim.aacquire(group)
            starts.append((group, vt.now))

    asyncio.run(vt.run([worker(g) for g in [None] * 6 + ["slow"] * 3]))
    assert len(starts) == 36
    assert_windows([t for _, t in starts], 8, 1.0)
    assert_windows([t for g, t in starts if g == "slow"], 2, 1.0)
    # 12 "slow" requests need at least 6 windows (last start >= 5); first come, first
    # served on the shared window may push them one window further, not more.
    assert 5.0 <= max(t for g, t in starts if g == "slow") <= 6.0
    assert max(t for g, t in starts if g is None) <= 4.0


@pytest.mark.realclock
def test_tasks_on_the_real_clock(rl: ModuleType) -> None:
    lim = make(rl, [rl.RateLimit(5, 0.5)], margin=MARGIN)
    recorded: list[float] = []

    async def worker() -> None:
        await lim.aacquire()
        recorded.append(time.monotonic())

    async def main() -> float:
        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(15)))
        return time.monotonic() - began

    elapsed = asyncio.run(main())
    assert len(recorded) == 15
    assert_windows(recorded, 5, 0.5)
    assert 2 * (0.2 + MARGIN) <= elapsed < 2.0


@pytest.mark.realclock
def test_threads_and_tasks_share_one_limiter(rl: ModuleType) -> None:
    """Two sync threads and an event loop with 6 tasks drive one limiter at once."""
    lim = make(rl, [rl.RateLimit(5, 0.5)], margin=MARGIN)
    recorded: list[float] = []
    guard = threading.Lock()

    def record() -> None:
        with guard:
            recorded.append(time.monotonic())

    def thread_worker() -> None:
        for _ in range(3):
            lim.acquire()
            record()

    async def task_worker() -> None:
        await lim.aacquire()
        record()

    async def tasks() -> None:
        await asyncio.gather(*(task_worker() for _ in range(6)))

    runners: list[Callable[[], object]] = [thread_worker, thread_worker]
    runners.append(lambda: asyncio.run(tasks()))
    threads = [threading.Thread(target=r) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recorded) == 12
    assert_windows(recorded, 5, 0.5)
