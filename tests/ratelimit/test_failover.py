"""The outage logic of RedisRateLimiter (`_ratelimit_failover.py`) on a fake clock, no Redis:
shares, the windows a process starts from when Redis fails, probing and rejoining."""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture
def fo(pkg: str) -> ModuleType:
    return importlib.import_module(f"{pkg}._ratelimit_failover")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(fo: ModuleType, rl: ModuleType, limits: list[Any], clock: Clock, **kw: Any) -> Any:
    async def async_sleep(seconds: float) -> None:
        clock.now += seconds

    def sleep(seconds: float) -> None:
        clock.now += seconds

    kw.setdefault("probe_interval", 1.0)
    kw.setdefault("rejoin_after", 3.0)
    kw.setdefault("lookahead", 2.0)
    kw.setdefault("quiet", 0.5)
    return fo.Failover(
        limits,
        margin=0.0,
        clock=clock,
        sleep=sleep,
        async_sleep=async_sleep,
        logger=logging.getLogger("test.failover"),
        **kw,
    )


def test_view_text_becomes_seed_times(fo: ModuleType) -> None:
    view = fo.parse_view("|0|", 50.0)
    assert (view.started, view.planned, view.seeds(5, 50.0)) == ([], [], [])
    view = fo.parse_view("0.5:2,3:2|5|-1:-2:2,-4:-5:3", 50.0)
    assert view.started == [(49.5, 2), (47.0, 2)] and view.planned == [(51.0, 52.0, 2), (54.0, 55.0, 3)]
    # planned slots that can have started by the cut count first (at the cut at most), then the
    # newest started ones, `share` in all
    assert view.seeds(3, 51.5) == [51.5, 51.5, 49.5]
    assert view.seeds(5, 50.0) == [49.5, 49.5, 47.0, 47.0]
    assert view.seeds(9, 60.0) == [52.0, 52.0, 55.0, 55.0, 55.0, 49.5, 49.5, 47.0, 47.0]
    # the reply showed the earliest 5 of 12 planned slots: when all 5 lie before the cut, later
    # ones may have started too, up to the cut
    more = fo.parse_view("0.5:2,3:2|12|-1:-2:2,-4:-5:3", 50.0)
    assert more.seeds(5, 60.0) == [60.0] * 5
    assert more.seeds(5, 54.5) == [52.0, 52.0, 54.5, 54.5, 54.5]


def test_share_is_the_quota_divided_by_the_participants(fo: ModuleType, rl: ModuleType) -> None:
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(10, 60.0), rl.RateLimit(3, 1.0, "g")], clock)
    f.saw(4, [0, 1], ["|0|", "|0|"])
    assert f.failed(clock.now) is True
    state, fallback = f.current()
    assert state == "local" and f.share_of == 4 and f.outages == 1
    assert [(item.requests, item.per, item.group) for item in fallback.limits] == [(2, 60.0, None), (1, 1.0, "g")]
    assert f.failed(clock.now) is False  # already local: no second outage


def test_local_windows_start_from_the_view(fo: ModuleType, rl: ModuleType) -> None:
    """Entries seen in Redis count locally; slots planned past the failed call do not start. The
    share also starts full at the last contact plus `quiet` (see the next test)."""
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(12, 10.0)], clock)
    # Redis: 3 requests 1 s ago; 1 slot planned 0.2 s ahead and 2 more 1.5 s ahead.
    f.saw(3, [0], ["1:3|3|-0.2:-0.2:1,-1.5:-1.5:2"])
    clock.now += 0.5
    f.failed(clock.now - 0.2)  # the failed call went out 0.2 s ago, after the first planned slot
    _, fallback = f.current()
    assert sorted(fallback.policy.starts(0)) == pytest.approx([99.0, 99.0, 99.0, 100.2] + [100.5] * 4)
    assert fallback.try_acquire() == pytest.approx(110.5 - 100.5)


def test_a_process_alone_waits_until_the_others_keep_its_share_free(fo: ModuleType, rl: ModuleType) -> None:
    """Only this process may have lost Redis: the others use the whole quota until they see it
    silent for `quiet` after its last contact, then keep its share free. Its first request alone
    goes a window after that, when their older requests have left every window; a reply that
    arrives after the failure moves that moment on."""
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(8, 10.0), rl.RateLimit(4, 1.0)], clock, quiet=3.0)
    f.saw(4, [0, 1], ["|0|", "|0|"])  # last contact at 100
    clock.now += 0.5
    f.failed(clock.now)
    _, fallback = f.current()
    assert fallback.policy.starts(0) == (103.0, 103.0) and fallback.policy.starts(1) == (103.0,)
    assert fallback.try_acquire() == pytest.approx(113.0 - 100.5)
    clock.now += 0.5
    f.saw(4, [0, 1], ["|0|", "|0|"])  # a reply that was on its way
    assert fallback.try_acquire() == pytest.approx(114.0 - 101.0)
    clock.now = 114.0
    assert fallback.try_acquire() == 0.0


def test_past_the_participant_ttl_alone_it_warns(
    fo: ModuleType, rl: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(8, 10.0)], clock, participant_ttl=30.0)
    f.saw(4, [0], ["|0|"])
    f.failed(clock.now)
    with caplog.at_level(logging.WARNING, logger="test.failover"):
        clock.now += 29.0
        f.current()
        assert not caplog.records
        clock.now += 2.0
        f.current()
        f.current()
    assert len(caplog.records) == 1 and "no longer keep this process's share free" in caplog.records[0].getMessage()


def test_a_stale_view_takes_the_window_as_full(fo: ModuleType, rl: ModuleType) -> None:
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(6, 10.0)], clock)
    f.saw(2, [0], ["|0|"])
    clock.now += 5.0  # older than the lookahead (2 s)
    f.failed(clock.now)
    _, fallback = f.current()
    # its share, 3, at the failure (and at the last contact + quiet, long past)
    assert fallback.policy.starts(0) == (100.5,) * 3 + (105.0,) * 3
    assert fallback.try_acquire() == pytest.approx(10.0)


def test_no_view_at_all_limits_to_the_whole_quota(fo: ModuleType, rl: ModuleType) -> None:
    """Redis never answered: nothing is known of other participants."""
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(6, 10.0)], clock)
    f.failed(clock.now)
    _, fallback = f.current()
    assert f.share_of == 1 and fallback.limits[0].requests == 6 and fallback.policy.starts(0) == ()


def test_one_probe_at_a_time_every_probe_interval(fo: ModuleType, rl: ModuleType) -> None:
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(6, 10.0)], clock)
    assert f.want_probe() is False  # shared: nothing to probe
    f.saw(1, [0], ["|0|"])
    f.failed(clock.now)
    assert f.want_probe() is False  # not due yet
    clock.now += 1.0
    assert f.want_probe() is True
    assert f.want_probe() is False  # one probe at a time
    f.probe_failed()
    assert f.want_probe() is False
    clock.now += 1.0
    assert f.want_probe() is True


def test_rejoining_replays_own_requests_and_ends_after_a_window(fo: ModuleType, rl: ModuleType) -> None:
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(20, 8.0), rl.RateLimit(5, 1.0, "g")], clock)
    f.saw(2, [0], ["3:2|0|"])  # two requests seen in Redis, 3 s ago
    f.failed(clock.now)
    _, fallback = f.current()
    clock.now += 8.5  # the local windows start full at the last contact + quiet (100.5)
    assert fallback.try_acquire() == 0.0
    fallback.observe(None, 200, {})
    clock.now += 1.0
    assert fallback.try_acquire("g") == 0.0
    clock.now += 0.5
    started_g = clock.now - 0.5
    ages = f.rejoined(3)
    assert f.current()[0] == "rejoining" and f.participants == 3
    # own requests only, not the seeds; the one still in flight named by its start
    assert [age for age, _ in ages[0]] == pytest.approx([0.5, 1.5])
    assert [key for _, key in ages[0]] == [repr(started_g), ""]
    assert ages[1] == [(pytest.approx(0.5), repr(started_g))]
    assert f.answered_alone(started_g) == repr(started_g) and f.answered_alone(started_g) is None
    clock.now += 2.9
    assert f.current()[0] == "rejoining"
    clock.now += 0.2  # rejoin_after (3 s) has passed, and a full window since the failure
    assert f.current() == ("shared", None)


def test_failing_again_while_rejoining_keeps_the_local_windows(fo: ModuleType, rl: ModuleType) -> None:
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(8, 10.0)], clock)
    f.saw(4, [0], ["|0|"])
    f.failed(clock.now)
    _, fallback = f.current()
    clock.now += 10.5  # past the share's start at the last contact + quiet
    assert fallback.try_acquire() == 0.0
    f.rejoined(1)  # a Redis that restarted empty: only this process has come back so far
    f.saw(1, [0], ["0:1|0|"])
    assert f.failed(clock.now) is True
    _, again = f.current()
    assert again is fallback and f.share_of == 4  # the share stays that of 4 participants
    # its own request, the one seen in Redis and the share (2) from the new contact + quiet
    assert sorted(again.policy.starts(0)) == [110.5, 110.5, 111.0, 111.0] and f.outages == 2


def test_what_redis_keeps_free_is_the_smallest_divisor_it_may_go_on_with(fo: ModuleType, rl: ModuleType) -> None:
    """`held()`: the count this process would divide the quota by if Redis failed now, and the
    Redis time of the reply it took it from. A reply older than that one, arriving later (another
    thread's), is not taken: Redis counts only the replies it sent since then as still takeable."""
    clock = Clock()
    f = make(fo, rl, [rl.RateLimit(8, 10.0)], clock)
    assert f.held() == "1@"  # no reply yet: alone, as far as it knows
    f.saw(1, [0], ["|0|"], 5.0)
    f.saw(3, [0], ["|0|"], 7.0)
    f.saw(2, [0], ["|0|"], 6.0)  # older than the one taken
    assert (f.participants, f.held()) == (3, "3@7.0")
    f.contacted(4, 7.0)  # as recent: taken
    assert f.held() == "4@7.0"
    f.failed(clock.now)
    assert f.share_of == 4
    f.rejoined(4)
    f.contacted(2, 9.0)
    # rejoining: the local share of 4 if Redis fails again, else 1/2 once rejoined
    assert (f.current()[0], f.held()) == ("rejoining", "2@9.0")
    f.contacted(5, 10.0)
    assert f.held() == "4@10.0"
