"""The sans-I/O rate-limit policy and the RateLimiter shell, driven by injected clocks.

Nothing here really sleeps: `now` is passed in, and RateLimiter gets fake clocks and sleeps.
"""

from __future__ import annotations

import asyncio
import email.utils
import importlib
import logging
import random
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import httpx
import pytest

EPOCH = 1_700_000_000.0  # a plausible wall-clock "now"


def assert_windows(starts: Sequence[float], requests: int, per: float) -> None:
    """No interval of `per` seconds contains more than `requests` of `starts`."""
    ordered = sorted(starts)
    for i in range(len(ordered) - requests):
        span = ordered[i + requests] - ordered[i]
        assert span >= per - 1e-9, f"{requests + 1} starts within {span:.6f}s < {per}s: {ordered[i : i + requests + 1]}"


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


def policy(rl: ModuleType, *limits: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("margin", 0.0)
    return rl.RateLimitPolicy(list(limits), **kwargs)


# --------------------------------------------------------------------------- RateLimit


def test_rate_limit_fields_and_defaults(rl: ModuleType) -> None:
    limit = rl.RateLimit(requests=100, per=60)
    assert (limit.requests, limit.per, limit.group) == (100, 60.0, None)
    assert isinstance(limit.per, float)
    scoped = rl.RateLimit(10, 60, group="domains.create")
    assert scoped.group == "domains.create"
    assert "domains.create" in scoped.describe()
    assert rl.RateLimit(1, 0.5) == rl.RateLimit(1, 0.5)  # frozen, hashable value
    assert len({rl.RateLimit(1, 0.5), rl.RateLimit(1, 0.5)}) == 1


@pytest.mark.parametrize(
    ("requests", "per", "group"),
    [
        (0, 1, None),
        (-1, 1, None),
        (1.5, 1, None),
        (True, 1, None),
        ("10", 1, None),
        (1, 0, None),
        (1, -2, None),
        (1, float("inf"), None),
        (1, float("nan"), None),
        (1, "60", None),
        (1, 1, ""),
        (1, 1, 3),
    ],
)
def test_rate_limit_rejects_invalid_values(rl: ModuleType, requests: Any, per: Any, group: Any) -> None:
    with pytest.raises(ValueError, match="RateLimit"):
        rl.RateLimit(requests, per, group)


def test_policy_rejects_non_rate_limits(rl: ModuleType) -> None:
    with pytest.raises(TypeError):
        rl.RateLimitPolicy([{"requests": 1, "per": 1}])
    with pytest.raises(ValueError, match="margin"):
        rl.RateLimitPolicy([], margin=-1)


# --------------------------------------------------------------------------- windows


def test_single_window_hands_out_slots_one_window_apart(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(3, 1.0))
    delays = [p.reserve(None, 0.0) for _ in range(7)]
    assert delays == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]


def test_delays_shrink_as_time_passes(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(2, 10.0))
    assert p.reserve(None, 0.0) == 0.0
    assert p.reserve(None, 3.0) == 0.0
    assert p.reserve(None, 4.0) == pytest.approx(6.0)  # first start leaves at 10
    assert p.reserve(None, 12.5) == pytest.approx(0.5)  # second (3) leaves at 13
    assert p.reserve(None, 30.0) == 0.0  # all old starts pruned


def test_two_windows_give_the_perfect_schedule(rl: ModuleType) -> None:
    # The benchmark's quota: 10 per 1 s and 30 per 4 s.
    p = policy(rl, rl.RateLimit(10, 1.0), rl.RateLimit(30, 4.0))
    starts = [p.reserve(None, 0.0) for _ in range(60)]
    expected = [float(second) for second in (0, 1, 2, 4, 5, 6) for _ in range(10)]
    assert starts == expected
    assert_windows(starts, 10, 1.0)
    assert_windows(starts, 30, 4.0)
    assert len(p.starts(0)) == 60
    p.reserve(None, 100.0)  # old starts are pruned once they cannot matter
    assert p.starts(0) == (100.0,)
    assert p.starts(1) == (100.0,)


def test_default_margin_spaces_windows_slightly_wider(rl: ModuleType) -> None:
    assert rl.default_margin(1.0) == pytest.approx(0.004)
    assert rl.default_margin(60.0) == pytest.approx(0.122)
    p = rl.RateLimitPolicy([rl.RateLimit(2, 1.0)])
    delays = [p.reserve(None, 0.0) for _ in range(4)]
    assert delays == pytest.approx([0.0, 0.0, 1.004, 1.004])
    fixed = rl.RateLimitPolicy([rl.RateLimit(1, 1.0)], margin=0.25)
    assert [fixed.reserve(None, 0.0) for _ in range(3)] == [0.0, 1.25, 2.5]


def test_groups_scope_limits(rl: ModuleType) -> None:
    p = policy(
        rl,
        rl.RateLimit(4, 10.0),  # every operation
        rl.RateLimit(1, 10.0, group="domains.create"),
        rl.RateLimit(2, 10.0, group="contacts.list"),
    )
    assert p.reserve("domains.create", 0.0) == 0.0
    assert p.reserve("domains.create", 0.0) == 10.0  # its own bucket is full
    assert p.reserve("contacts.list", 0.0) == 0.0  # other groups are not affected
    assert p.reserve("contacts.list", 0.0) == 0.0
    # The ungrouped window now holds 4 starts before t=10 (0, 10, 0, 0): one slot at 0 is
    # left for anything, then operations queue on the shared window.
    assert p.reserve(None, 0.0) == 0.0
    assert p.reserve("unknown.group", 0.0) == 10.0
    assert p.reserve("contacts.list", 0.0) == 10.0


def test_slot_inserted_before_reserved_future_starts(rl: ModuleType) -> None:
    """A request can take a free slot that lies before starts reserved for later."""
    p = policy(rl, rl.RateLimit(3, 10.0), rl.RateLimit(1, 5.0, group="slow"))
    assert p.reserve("slow", 0.0) == 0.0
    assert p.reserve("slow", 0.0) == 5.0  # recorded at 5 in the shared window too
    assert p.reserve(None, 0.0) == 0.0  # 0, 0, 5: still only 3 within any 10 s
    assert p.reserve(None, 0.0) == 10.0
    assert_windows([*p.starts(0)], 3, 10.0)


def test_random_mix_never_exceeds_any_window(rl: ModuleType) -> None:
    rng = random.Random(7)
    limits = [
        rl.RateLimit(5, 1.0),
        rl.RateLimit(12, 4.0),
        rl.RateLimit(2, 1.5, group="a"),
        rl.RateLimit(3, 0.7, group="b"),
    ]
    p = policy(rl, *limits)
    now = 0.0
    starts: dict[str | None, list[float]] = {None: [], "a": [], "b": [], "c": []}
    for _ in range(400):
        now += rng.choice([0.0, 0.0, 0.01, 0.1, 0.3])
        group = rng.choice([None, "a", "b", "c"])
        slot = p.reserve_slot(group, now)
        assert slot.start >= now
        assert slot.delay == pytest.approx(slot.start - now)
        starts[group].append(slot.start)
        if rng.random() < 0.05:  # a few callers give their slot back
            p.cancel(slot)
            starts[group].pop()
    everything = [t for group_starts in starts.values() for t in group_starts]
    assert_windows(everything, 5, 1.0)
    assert_windows(everything, 12, 4.0)
    assert_windows(starts["a"], 2, 1.5)
    assert_windows(starts["b"], 3, 0.7)


def test_slots_are_the_earliest_possible(rl: ModuleType) -> None:
    """Greedy: no start could have been a little earlier without breaking a window."""
    rng = random.Random(11)
    limits = [rl.RateLimit(3, 1.0), rl.RateLimit(7, 3.0)]
    p = policy(rl, *limits)
    history: list[float] = []
    now = 0.0
    for _ in range(120):
        now += rng.choice([0.0, 0.05, 0.2])
        slot = p.reserve_slot(None, now)
        if slot.start > now:
            earlier = slot.start - 1e-6
            trial = sorted([*history, earlier])
            broken = any(
                trial[i + lim.requests] - trial[i] < lim.per for lim in limits for i in range(len(trial) - lim.requests)
            )
            assert broken, f"slot {slot.start} could have been {earlier}"
        history.append(slot.start)


def test_cancel_gives_the_slot_back(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(1, 5.0))
    first = p.reserve_slot(None, 0.0)
    second = p.reserve_slot(None, 0.0)
    assert second.delay == 5.0
    p.cancel(second)
    assert p.reserve(None, 0.0) == 5.0
    p.cancel(first)
    p.cancel(first)  # giving back twice is harmless
    assert p.starts(0) == (5.0,)


def test_reason_names_the_binding_window(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(1, 1.0), rl.RateLimit(2, 60.0, group="g"))
    assert p.reserve_slot("g", 0.0).reason == ""
    assert "1 per 1s (all operations)" in p.reserve_slot("g", 0.0).reason
    assert "2 per 60s (group 'g')" in p.reserve_slot("g", 0.0).reason


# --------------------------------------------------------------------------- headers


def test_reset_relative_seconds(rl: ModuleType) -> None:
    info = rl.parse_rate_limit_headers(
        {"ratelimit-limit": "60", "ratelimit-remaining": "7", "ratelimit-reset": "42"},
        wall_now=EPOCH,
    )
    assert (info.limit, info.remaining, info.reset_after) == (60, 7, 42.0)
    assert info.reset_at == EPOCH + 42


def test_reset_epoch_seconds_and_millis(rl: ModuleType) -> None:
    seconds = rl.parse_rate_limit_headers({"X-RateLimit-Reset": str(int(EPOCH + 30))}, wall_now=EPOCH)
    assert seconds.reset_after == pytest.approx(30.0)
    millis = rl.parse_rate_limit_headers({"X-RateLimit-Reset": str(int((EPOCH + 12.5) * 1000))}, wall_now=EPOCH)
    assert millis.reset_after == pytest.approx(12.5)
    past = rl.parse_rate_limit_headers({"X-RateLimit-Reset": str(int(EPOCH - 5))}, wall_now=EPOCH)
    assert past.reset_after == 0.0


def test_epoch_reset_is_read_against_the_server_date(rl: ModuleType) -> None:
    # The server's clock runs 100 s ahead of ours: its reset epoch is 100 s "late".
    server_now = EPOCH + 100
    headers = {"X-RateLimit-Reset": str(int(server_now + 20)), "Date": http_date(server_now)}
    info = rl.parse_rate_limit_headers(headers, wall_now=EPOCH)
    assert info.reset_after == pytest.approx(20.0)
    assert info.reset_at == pytest.approx(EPOCH + 20)
    # Without a Date header the local clock is all we have.
    no_date = rl.parse_rate_limit_headers({"X-RateLimit-Reset": str(int(server_now + 20))}, wall_now=EPOCH)
    assert no_date.reset_after == pytest.approx(120.0)


def test_relative_reset_ignores_clock_skew(rl: ModuleType) -> None:
    headers = {"ratelimit-reset": "15", "Date": http_date(EPOCH - 3600)}
    info = rl.parse_rate_limit_headers(headers, wall_now=EPOCH)
    assert info.reset_after == 15.0


def test_retry_after_seconds_and_http_date(rl: ModuleType) -> None:
    assert rl.parse_rate_limit_headers({"Retry-After": "7"}, wall_now=EPOCH).retry_after == pytest.approx(7.0)
    assert rl.parse_rate_limit_headers({"retry-after": "0.25"}, wall_now=EPOCH).retry_after == pytest.approx(0.25)
    dated = rl.parse_rate_limit_headers({"Retry-After": http_date(EPOCH + 90)}, wall_now=EPOCH)
    assert dated.retry_after == pytest.approx(90.0)
    skewed = rl.parse_rate_limit_headers(
        {"Retry-After": http_date(EPOCH - 500 + 30), "Date": http_date(EPOCH - 500)},
        wall_now=EPOCH,
    )
    assert skewed.retry_after == pytest.approx(30.0)  # server 500 s behind
    past = rl.parse_rate_limit_headers({"Retry-After": http_date(EPOCH - 9)}, wall_now=EPOCH)
    assert past.retry_after == 0.0


def test_reply_style_x_rate_limit_headers(rl: ModuleType) -> None:
    # Reply.io (observed): a window label as the "limit" and an ISO-8601 reset.
    info = rl.parse_rate_limit_headers(
        {
            "x-rate-limit-limit": "1h",
            "x-rate-limit-remaining": "12",
            "x-rate-limit-reset": "2023-11-14T22:14:20Z",  # EPOCH + 60
        },
        wall_now=EPOCH,
    )
    assert info.limit is None
    assert info.window == 3600.0
    assert info.remaining == 12
    assert info.reset_after == pytest.approx(60.0)


def test_window_header_and_policy_parameters(rl: ModuleType) -> None:
    info = rl.parse_rate_limit_headers({"X-RateLimit-Limit": "10", "X-RateLimit-Window": "60"}, wall_now=EPOCH)
    assert (info.limit, info.window) == (10, 60.0)
    draft = rl.parse_rate_limit_headers({"RateLimit-Limit": "100, 100;w=60, 1000;w=3600"}, wall_now=EPOCH)
    assert (draft.limit, draft.window) == (100, 60.0)
    combined = rl.parse_rate_limit_headers({"RateLimit": "limit=50, remaining=0, reset=9"}, wall_now=EPOCH)
    assert (combined.limit, combined.remaining, combined.reset_after) == (50, 0, 9.0)


def test_header_names_are_case_insensitive_and_httpx_headers_work(rl: ModuleType) -> None:
    headers = httpx.Headers([("X-RATELIMIT-REMAINING", "3"), ("x-ratelimit-remaining", "1")])
    info = rl.parse_rate_limit_headers(headers, wall_now=EPOCH)
    assert info.remaining == 1  # repeated header: the tightest value counts


def test_garbage_values_are_ignored(rl: ModuleType) -> None:
    info = rl.parse_rate_limit_headers(
        {
            "X-RateLimit-Limit": "lots",
            "X-RateLimit-Remaining": "n/a",
            "X-RateLimit-Reset": "soon",
            "Retry-After": "whenever",
            "Date": "yesterday",
            "x-reloop-daily-quota": "-4",
        },
        wall_now=EPOCH,
    )
    assert info == rl.ParsedRateLimitHeaders()


def usage_headers(rl: ModuleType) -> Any:
    """Reloop's quota-usage headers; each package reads those its spec declares."""
    config = importlib.import_module(rl.__name__.rpartition(".")[0] + "._config")
    return config.QuotaUsageHeaders(daily_used="x-reloop-daily-quota", monthly_used="x-reloop-monthly-quota")


def test_reloop_quota_headers(rl: ModuleType) -> None:
    headers = {"x-reloop-daily-quota": "120", "x-reloop-monthly-quota": "3400"}
    info = rl.parse_rate_limit_headers(headers, wall_now=EPOCH, usage=usage_headers(rl))
    assert (info.daily_used, info.monthly_used) == (120, 3400)
    declared = rl.parse_rate_limit_headers(headers, wall_now=EPOCH)  # the package's own
    expected = (120, 3400) if rl.__name__.startswith("reloop.") else (None, None)
    assert (declared.daily_used, declared.monthly_used) == expected


# --------------------------------------------------------------------------- holds


def test_remaining_zero_holds_until_reset(rl: ModuleType) -> None:
    p = policy(rl)
    decision = p.observe(None, 200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"}, 100.0)
    assert decision is not None
    assert decision[0] == 30.0
    assert "remaining 0" in decision[1]
    assert p.reserve(None, 100.0) == 30.0
    assert p.reserve(None, 130.0) == 0.0


def test_remaining_zero_with_epoch_reset_and_skew(rl: ModuleType) -> None:
    p = policy(rl)
    server_now = EPOCH + 42  # server clock ahead
    p.observe(
        None,
        200,
        {
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(server_now + 8)),
            "Date": http_date(server_now),
        },
        5.0,  # monotonic time line
        wall_now=EPOCH,
    )
    assert p.reserve(None, 5.0) == pytest.approx(8.0)


def test_remaining_zero_without_reset_falls_back_to_window(rl: ModuleType) -> None:
    p = policy(rl, default_backoff=2.0)
    p.observe(None, 200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Window": "60"}, 0.0)
    assert p.reserve(None, 0.0) == 60.0
    q = policy(rl, default_backoff=2.0)
    q.observe(None, 200, {"X-RateLimit-Remaining": "0"}, 0.0)
    assert q.reserve(None, 0.0) == 2.0


def test_remaining_above_zero_holds_nothing(rl: ModuleType) -> None:
    p = policy(rl)
    assert p.observe(None, 200, {"X-RateLimit-Remaining": "1"}, 0.0) is None
    assert p.reserve(None, 0.0) == 0.0


def test_429_holds_for_retry_after(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(100, 60.0))
    decision = p.observe(None, 429, {"Retry-After": "12"}, 50.0)
    assert decision is not None and decision[0] == 12.0
    assert "Retry-After" in decision[1]
    assert p.reserve(None, 50.0) == 12.0
    assert p.reserve("any.group", 55.0) == 7.0  # an ungrouped hold stops everything


def test_429_prefers_retry_after_then_reset(rl: ModuleType) -> None:
    p = policy(rl)
    p.observe(None, 429, {"ratelimit-reset": "4"}, 0.0)
    assert p.reserve(None, 0.0) == 4.0


def test_429_without_hints_backs_off_exponentially(rl: ModuleType) -> None:
    p = policy(rl, default_backoff=0.5, max_backoff=3.0)
    seconds = [p.observe(None, 429, {}, 0.0)[0] for _ in range(5)]  # type: ignore[index]
    assert seconds == [0.5, 1.0, 2.0, 3.0, 3.0]
    p.observe(None, 200, {}, 0.0)  # a success resets the streak
    assert p.observe(None, 429, {}, 100.0)[0] == 0.5  # type: ignore[index]


def test_group_429_holds_only_that_group(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(10, 60.0, group="domains.create"))
    p.observe("domains.create", 429, {"Retry-After": "20"}, 0.0)
    assert p.reserve("domains.create", 0.0) == 20.0
    assert p.reserve("domains.update", 0.0) == 0.0
    assert p.reserve(None, 0.0) == 0.0


def test_holds_never_shrink_and_are_capped(rl: ModuleType) -> None:
    p = policy(rl, max_hold=100.0)
    p.observe(None, 429, {"Retry-After": "30"}, 0.0)
    p.observe(None, 429, {"Retry-After": "5"}, 1.0)
    assert p.reserve(None, 1.0) == 29.0
    p.observe(None, 429, {"Retry-After": "86400"}, 2.0)
    assert p.reserve(None, 2.0) == 100.0


def test_other_statuses_do_not_hold(rl: ModuleType) -> None:
    p = policy(rl)
    assert p.observe(None, 503, {"Retry-After": "30"}, 0.0) is None
    assert p.observe(None, 404, {"X-RateLimit-Remaining": "0"}, 0.0) is None
    assert p.reserve(None, 0.0) == 0.0


def test_hold_arriving_after_a_reservation_pushes_its_start(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(1, 1.0))
    first = p.start(p.reserve_slot(None, 0.0), 0.0)
    slot = p.reserve_slot(None, 0.0)
    assert slot.start == 1.0
    p.complete(first, 0.5)
    p.observe(None, 429, {"Retry-After": "3"}, 0.5)
    later = p.start(slot, 1.0)  # the wait is over, but a hold arrived meanwhile
    assert later.delay == 2.5 and later.start == 3.5
    assert "Retry-After" in later.reason
    assert p.starts(0) == (0.5, 3.5)  # the planned slot moved; the first counts from its answer
    go = p.start(later, 3.5)
    assert go.delay == 0.0 and go.start == 3.5


def test_start_counts_from_real_starts_and_responses(rl: ModuleType) -> None:
    """Slots are planned from start times; the check at the end of the wait counts
    requests from when they were answered, the latest moment a server can count them."""
    p = policy(rl, rl.RateLimit(2, 1.0))
    first = p.start(p.reserve_slot(None, 0.0), 0.0)
    second = p.start(p.reserve_slot(None, 0.0), 0.0)
    third = p.reserve_slot(None, 0.0)
    assert third.start == 1.0
    p.complete(first, 0.30)  # slow first connections, say
    p.complete(second, 0.35)
    late = p.start(third, 1.0)
    assert late.delay == pytest.approx(0.30) and late.start == pytest.approx(1.30)
    assert "counted from actual starts and responses" in late.reason
    assert p.start(late, 1.30).delay == 0.0


def test_start_after_an_early_wake_never_starts_before_the_slot(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(1, 1.0))
    p.complete(p.start(p.reserve_slot(None, 0.0), 0.0), 0.0)
    slot = p.reserve_slot(None, 0.0)
    go = p.start(slot, 0.999)  # the sleep ended a little early: it still counts as waited
    assert go.delay == 0.0 and go.start == 1.0


def test_complete_moves_the_entry_to_the_response_time(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(3, 1.0))
    started = p.start(p.reserve_slot(None, 0.0), 0.0)
    p.complete(started, 0.4)
    assert p.starts(0) == (0.4,)
    p.complete(started, 0.1)  # an earlier "response" than the start: ignored
    assert p.reserve(None, 1.2) == 0.0


def test_hold_then_window_combine(rl: ModuleType) -> None:
    p = policy(rl, rl.RateLimit(2, 1.0))
    p.observe(None, 429, {"Retry-After": "2"}, 0.0)
    assert [p.reserve(None, 0.0) for _ in range(3)] == [2.0, 2.0, 3.0]


# --------------------------------------------------------------------------- snapshot


def test_snapshot_records_latest_figures_per_group(rl: ModuleType) -> None:
    p = policy(rl, usage_headers=usage_headers(rl))
    assert p.snapshot() == {}
    p.observe(
        "mail.send",
        200,
        {
            "ratelimit-limit": "100",
            "ratelimit-remaining": "99",
            "ratelimit-reset": "60",
            "x-reloop-daily-quota": "17",
            "x-reloop-monthly-quota": "230",
        },
        0.0,
        wall_now=EPOCH,
    )
    p.observe("mail.send", 200, {"ratelimit-remaining": "98"}, 1.0, wall_now=EPOCH + 1)
    p.observe(None, 200, {"X-RateLimit-Limit": "10", "X-RateLimit-Window": "60"}, 1.0)
    p.observe("quiet", 200, {"Content-Type": "application/json"}, 1.0)
    snap = p.snapshot()
    assert set(snap) == {"mail.send", None}
    mail = snap["mail.send"]
    assert mail == rl.ServerQuota(
        limit=100,
        remaining=98,
        reset_at=EPOCH + 60,
        window=None,
        daily_used=17,
        monthly_used=230,
    )
    assert snap[None].limit == 10 and snap[None].window == 60.0
    snap.clear()  # a copy
    assert p.snapshot()


def test_snapshot_reset_at_corrects_server_skew(rl: ModuleType) -> None:
    p = policy(rl)
    server_now = EPOCH - 250
    p.observe(
        None,
        200,
        {"X-RateLimit-Reset": str(int(server_now + 10)), "Date": http_date(server_now)},
        0.0,
        wall_now=EPOCH,
    )
    assert p.snapshot()[None].reset_at == pytest.approx(EPOCH + 10)


# --------------------------------------------------------------------------- RateLimiter


class FakeTime:
    """Monotonic + wall clock that only move when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return EPOCH + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def limiter(rl: ModuleType, fake: FakeTime, *limits: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("margin", 0.0)
    return rl.RateLimiter(
        list(limits),
        clock=fake.clock,
        wall_clock=fake.wall,
        sleep=fake.sleep,
        async_sleep=fake.async_sleep,
        **kwargs,
    )


def test_limiter_acquire_sleeps_and_reports_wait(rl: ModuleType) -> None:
    fake = FakeTime()
    lim = limiter(rl, fake, rl.RateLimit(2, 1.0))
    waits = [lim.acquire() for _ in range(5)]
    assert waits == [0.0, 0.0, 1.0, 0.0, 1.0]
    assert fake.sleeps == [1.0, 1.0]
    assert fake.now == 2.0


def test_limiter_aacquire_twin(rl: ModuleType) -> None:
    fake = FakeTime()
    lim = limiter(rl, fake, rl.RateLimit(2, 1.0))

    async def run() -> list[float]:
        return [await lim.aacquire() for _ in range(5)]

    assert asyncio.run(run()) == [0.0, 0.0, 1.0, 0.0, 1.0]


def test_limiter_logs_every_wait_with_reason(rl: ModuleType, pkg: str, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime()
    lim = limiter(rl, fake, rl.RateLimit(1, 2.0))
    assert lim.logger.name == f"{pkg}.ratelimit"
    with caplog.at_level(logging.DEBUG, logger=f"{pkg}.ratelimit"):
        lim.acquire()
        lim.acquire()
        lim.observe(None, 429, {"Retry-After": "5"})
        lim.acquire()
    messages = [r.getMessage() for r in caplog.records]
    assert any("waiting 2.000s" in m and "1 per 2s (all operations)" in m for m in messages)
    assert any("Retry-After 5s" in m for m in messages)
    assert any("waiting 5.000s" in m and "server hold" in m for m in messages)


def test_limiter_accepts_a_custom_logger(rl: ModuleType) -> None:
    custom = logging.getLogger("my.app.limits")
    lim = rl.RateLimiter([], logger=custom)
    assert lim.logger is custom


def test_empty_limits_still_honour_server_holds(rl: ModuleType) -> None:
    fake = FakeTime()
    lim = limiter(rl, fake)
    assert [lim.acquire() for _ in range(50)] == [0.0] * 50
    assert lim.observe(None, 429, {"Retry-After": "3"}) == 3.0
    assert lim.hold_remaining() == 3.0
    assert lim.acquire() == 3.0
    lim.observe("g", 200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4"})
    assert lim.acquire("g") == 4.0
    assert lim.acquire(None) == 0.0


def test_hold_observed_while_sleeping_requeues(rl: ModuleType) -> None:
    fake = FakeTime()
    lim: Any = None

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if len(fake.sleeps) == 1:  # a 429 lands on another thread meanwhile
            lim.observe(None, 429, {"Retry-After": "10"})

    lim = rl.RateLimiter([rl.RateLimit(1, 1.0)], clock=fake.clock, sleep=sleep, margin=0.0)
    lim.acquire()
    assert lim.acquire() == pytest.approx(11.0)  # 1 s window, then the 10 s hold
    assert fake.sleeps == [1.0, 10.0]
    assert lim.policy.starts(0) == (11.0,)  # the abandoned slot was given back


def test_cancelled_wait_gives_the_slot_back(rl: ModuleType) -> None:
    fake = FakeTime()

    async def never(seconds: float) -> None:
        await asyncio.sleep(3600)

    lim = rl.RateLimiter([rl.RateLimit(1, 60.0)], clock=fake.clock, async_sleep=never, margin=0.0)

    async def run() -> None:
        await lim.aacquire()
        task = asyncio.ensure_future(lim.aacquire())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert lim.policy.starts(0) == (0.0,)


def test_limiter_snapshot_uses_wall_clock(rl: ModuleType) -> None:
    fake = FakeTime()
    lim = limiter(rl, fake)
    fake.now = 10.0
    lim.observe("g", 200, {"ratelimit-limit": "5", "ratelimit-reset": "20"})
    assert lim.snapshot() == {"g": rl.ServerQuota(limit=5, reset_at=EPOCH + 30.0)}


def test_limiter_rejects_bad_limits(rl: ModuleType) -> None:
    with pytest.raises(TypeError):
        rl.RateLimiter([(10, 60)])


def test_resolve_rate_limiter(rl: ModuleType) -> None:
    default = [rl.RateLimit(100, 60.0)]
    built = rl.resolve_rate_limiter(None, default=default)
    assert isinstance(built, rl.RateLimiter)
    assert built.limits == tuple(default)
    assert rl.resolve_rate_limiter([], default=default).limits == ()
    custom = [rl.RateLimit(1, 1.0)]
    assert rl.resolve_rate_limiter(custom, default=default).limits == tuple(custom)
    shared = rl.RateLimiter(custom)
    assert rl.resolve_rate_limiter(shared, default=default) is shared
    assert isinstance(shared, rl.SupportsRateLimiting)
    with pytest.raises(TypeError):
        rl.resolve_rate_limiter("100/60", default=default)
    with pytest.raises(TypeError):
        rl.resolve_rate_limiter(42, default=default)


def test_random_latencies_never_let_a_server_see_too_many(rl: ModuleType) -> None:
    """Discrete-event run of the reserve_slot / start / complete protocol with random
    latencies. Whenever the server counts a request, anywhere between its start and its
    response, no window of `per` seconds may hold more than `requests` of them: for every
    request, fewer than `requests` earlier-started ones may be answered after its start
    minus `per`."""
    import heapq

    rng = random.Random(5)
    limits = [rl.RateLimit(4, 1.0), rl.RateLimit(10, 5.0)]
    p = policy(rl, *limits)
    events: list[tuple[float, int, str, Any]] = []
    seq = 0

    def push(at: float, kind: str, payload: Any) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, payload))

    for _ in range(120):
        push(rng.uniform(0.0, 10.0), "arrive", None)
    spans: list[tuple[float, float]] = []  # (start, response) per request
    while events:
        now, _, kind, payload = heapq.heappop(events)
        if kind == "arrive":
            slot = p.reserve_slot(None, now)
            push(slot.start, "wake", slot)
        elif kind == "wake":
            slot = p.start(payload, now)
            if slot.delay > 0:
                push(now + slot.delay, "wake", slot)
            else:
                push(now + rng.choice([0.01, 0.05, 0.3, 0.9]), "answer", slot)
        else:
            p.complete(payload, now)
            spans.append((payload.start, now))
    assert len(spans) == 120
    spans.sort()
    for limit in limits:
        for i, (start, _) in enumerate(spans):
            overlapping = [j for j in range(i) if spans[j][1] > start - limit.per + 1e-9]
            assert len(overlapping) < limit.requests, (limit, start)


def _overlaps(spans: Sequence[tuple[float, float]], per: float) -> int:
    """The most requests a server can count in one window of `per` seconds, when it counts each
    anywhere between its start and its response: for a request, the earlier-started ones
    answered after its start minus `per`, plus itself."""
    ordered = sorted(spans)
    return max(
        (1 + sum(1 for j in range(i) if ordered[j][1] > start - per + 1e-9) for i, (start, _) in enumerate(ordered)),
        default=0,
    )


def test_a_request_in_flight_for_longer_than_a_window_counts_until_it_is_answered(rl: ModuleType) -> None:
    """A request started at 0 and answered at 2.5 may reach the server at 2.4: it keeps its place
    in the window while in flight, not only for the window's length after its start."""
    p = policy(rl, rl.RateLimit(1, 1.0))
    slow = p.start(p.reserve_slot(None, 0.0), 0.0)
    waiting = p.reserve_slot(None, 0.0)
    assert waiting.start == 1.0  # planned a window later
    still = p.start(waiting, 1.0)
    assert still.delay == pytest.approx(1.0) and "actual starts" in still.reason
    again = p.start(still, 2.0)  # still in flight at 2.0: one more window at least
    assert again.delay == pytest.approx(1.0)
    p.complete(slow, 2.5)
    after = p.start(again, 3.0)
    assert after.delay == pytest.approx(0.5)  # a window after the response
    assert p.start(after, 3.5).delay == 0.0


def test_a_request_never_answered_stops_counting_after_the_in_flight_limit(rl: ModuleType, pkg: str) -> None:
    window = importlib.import_module(f"{pkg}._ratelimit_window")
    p = policy(rl, rl.RateLimit(1, 1.0))
    p.start(p.reserve_slot(None, 0.0), 0.0)  # its caller failed and never reported it
    assert p.reserve(None, window.MAX_IN_FLIGHT - 1.0) == pytest.approx(1.0)
    assert p.reserve(None, window.MAX_IN_FLIGHT + 5.0) == 0.0
    assert p.reserve(None, window.MAX_IN_FLIGHT + 5.0) == pytest.approx(1.0)


def test_an_instant_answer_ends_the_flight(rl: ModuleType) -> None:
    """A response at the start's own instant (a fake clock, a coarse timer) ends the flight too."""
    p = policy(rl, rl.RateLimit(1, 1.0))
    done = p.start(p.reserve_slot(None, 0.0), 0.0)
    p.complete(done, 0.0)
    assert p.reserve(None, 1.0) == 0.0


def test_random_latencies_longer_than_the_window_never_let_a_server_see_too_many(rl: ModuleType) -> None:
    """The discrete-event run above with requests in flight for up to 2.5 windows."""
    import heapq

    rng = random.Random(11)
    limits = [rl.RateLimit(3, 1.0), rl.RateLimit(8, 4.0)]
    p = policy(rl, *limits)
    events: list[tuple[float, int, str, Any]] = []
    seq = 0

    def push(at: float, kind: str, payload: Any) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, payload))

    for _ in range(150):
        push(rng.uniform(0.0, 20.0), "arrive", None)
    spans: list[tuple[float, float]] = []
    while events:
        now, _, kind, payload = heapq.heappop(events)
        if kind == "arrive":
            slot = p.reserve_slot(None, now)
            push(slot.start, "wake", slot)
        elif kind == "wake":
            slot = p.start(payload, now)
            if slot.delay > 0:
                push(now + slot.delay, "wake", slot)
            else:
                push(now + rng.choice([0.01, 0.2, 1.5, 2.5]), "answer", slot)
        else:
            p.complete(payload, now)
            spans.append((payload.start, now))
    assert len(spans) == 150
    assert max(b - a for a, b in spans) > 2.0
    for limit in limits:
        assert _overlaps(spans, limit.per) <= limit.requests, limit


def test_limiter_holds_a_slow_request_once_responses_are_reported(rl: ModuleType) -> None:
    import contextvars

    fake = FakeTime()
    lim = limiter(rl, fake, rl.RateLimit(1, 1.0))
    lim.acquire()
    lim.observe(None, 200, {})  # the caller reports responses
    slow = contextvars.copy_context()  # another task's request
    fake.now = 1.0
    slow.run(lim.acquire)
    fake.now = 3.0
    assert lim.try_acquire() == pytest.approx(1.0)  # in flight for two windows: still counts
    fake.now = 3.5
    slow.run(lim.observe, None, 200, {})
    assert lim.try_acquire() == pytest.approx(1.0)  # a window after its response
    fake.now = 4.5
    assert lim.try_acquire() == 0.0


def test_limiter_used_with_acquire_alone_counts_a_window_from_each_start(rl: ModuleType) -> None:
    import contextvars

    fake = FakeTime()
    lim = limiter(rl, fake, rl.RateLimit(1, 1.0))
    contextvars.copy_context().run(lim.acquire)  # a task that acquired and ended
    fake.now = 1.0
    assert lim.try_acquire() == 0.0
