"""No call waits longer than its caller allows: `max_wait` (client, with_options, per call;
default the call's timeout when that is a plain number, else 60 s) bounds the time spent waiting
for server holds and client-side windows across retries. Fake clocks: nothing really sleeps."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from .conftest import Harness, json_response
from .samples import SAMPLES


def _throttled(retry_after: str) -> httpx.Response:
    return json_response(429, {"message": "slow down", "title": "Too Many Requests"}, {"retry-after": retry_after})


def _first_429_then_ok(h: Harness, retry_after: str) -> Any:
    sample = SAMPLES[h.pkg]
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return _throttled(retry_after)
        return json_response(200, sample.post_body if request.method == "POST" else sample.body)

    return handler


@pytest.mark.parametrize("retry_after", ["30", "3600"])
def test_a_hold_longer_than_the_timeout_raises_at_once_without_sleeping(h: Harness, retry_after: str) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(_first_429_then_ok(h, retry_after), rate_limits=[], max_retries=0, timeout=2)
    with pytest.raises(h.module.RateLimitError) as first:
        h.run(sample.call(client))
    assert type(first.value) is h.module.RateLimitError and first.value.status_code == 429
    # The same operation is held by the server's 429: the next call refuses the wait at once.
    with pytest.raises(h.module.RateLimitWaitError) as refused:
        h.run(sample.call(client))
    error = refused.value
    assert isinstance(error, h.module.RateLimitError)
    assert error.retry_after == pytest.approx(float(retry_after), abs=0.01)
    assert error.max_wait == 2 and "max_wait=2s" in str(error) and "not sent" in str(error)
    assert h.sleeps == [] and len(h.requests) == 1
    with pytest.raises(AttributeError, match="refused before sending"):
        _ = error.response
    with pytest.raises(AttributeError):
        _ = error.status_code
    assert error.body is None and len(error.headers) == 0


def test_reloop_holds_only_the_operation_that_got_the_429(reloop: Harness) -> None:
    sample = SAMPLES["reloop"]
    first = _first_429_then_ok(reloop, "30")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/list"):
            return json_response(200, {"domains": [], "total": 0, "page": 1, "limit": 10})
        return first(request)

    client = reloop.client(handler, rate_limits=[], max_retries=0, timeout=2)
    with pytest.raises(reloop.module.RateLimitError):
        reloop.run(sample.call(client))  # domains.retrieve: 429, Retry-After 30
    reloop.run(client.domains.list())  # another endpoint: its own bucket, not held
    assert reloop.sleeps == [] and len(reloop.requests) == 2
    assert client.rate_limiter.hold_remaining("domains.retrieve") > 29
    assert client.rate_limiter.hold_remaining("domains.list") == 0


def test_reply_per_user_quota_holds_the_whole_client(reply: Harness) -> None:
    sample = SAMPLES["replyio"]
    client = reply.client(_first_429_then_ok(reply, "30"), rate_limits=[], max_retries=0, timeout=2)
    with pytest.raises(reply.module.RateLimitError):
        reply.run(sample.call(client))
    with pytest.raises(reply.module.RateLimitWaitError) as refused:
        reply.run(client.contacts.list())
    assert refused.value.group is None and reply.sleeps == [] and len(reply.requests) == 1


def test_a_wait_within_max_wait_goes_on_and_a_long_one_warns(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(_first_429_then_ok(h, "30"), rate_limits=[], max_wait=45)
    with caplog.at_level(logging.DEBUG):
        h.run(sample.call(client))
    assert len(h.requests) == 2 and sum(h.sleeps) == pytest.approx(30, abs=0.5)
    # The 30 s retry wait of that call is over; a later call pays nothing more.
    h.run(sample.call(client))
    assert len(h.requests) == 3 and sum(h.sleeps) == pytest.approx(30, abs=0.5)


def test_waits_longer_than_a_few_seconds_log_a_warning_with_group_and_seconds(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    sample = SAMPLES[h.pkg]
    limiter = h.module.RateLimiter([h.module.RateLimit(1, 20)], clock=lambda: h.now[0])
    client = h.client(lambda r: json_response(200, sample.body), rate_limits=limiter, max_wait=30)
    limiter._sleep = client._sleep
    limiter._async_sleep = client._async_sleep
    with caplog.at_level(logging.WARNING):
        h.run(sample.call(client))
        h.run(sample.call(client))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "waiting 20.0" in warnings[0].getMessage() and "group=" in warnings[0].getMessage()


def test_client_side_window_past_max_wait_is_refused_and_gives_its_slot_back(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    limiter = h.module.RateLimiter(
        [h.module.RateLimit(1, 20)], clock=lambda: h.now[0], sleep=lambda s: None, async_sleep=None
    )
    client = h.client(lambda r: json_response(200, sample.body), rate_limits=limiter, max_wait=5)
    h.run(sample.call(client))
    with pytest.raises(h.module.RateLimitWaitError) as refused:
        h.run(sample.call(client))
    assert refused.value.retry_after == pytest.approx(20, abs=0.2)
    assert len(limiter.policy.starts(0)) == 1  # the refused slot was given back
    h.now[0] += 21
    h.run(sample.call(client))
    assert len(h.requests) == 2


def test_max_wait_per_call_and_with_options(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(_first_429_then_ok(h, "30"), rate_limits=[], max_retries=0, timeout=2)
    with pytest.raises(h.module.RateLimitError):
        h.run(sample.call(client))
    patient = client.with_options(max_wait=40)
    h.run(sample.call(patient))
    assert sum(h.sleeps) == pytest.approx(30, abs=0.5) and len(h.requests) == 2
    assert client.max_wait != 40  # the original keeps its own setting


def test_per_call_max_wait_overrides_the_client(reloop: Harness) -> None:
    client = reloop.client(_first_429_then_ok(reloop, "30"), rate_limits=[], max_retries=0, max_wait=1)
    with pytest.raises(reloop.module.RateLimitError):
        reloop.run(client.domains.retrieve("dom_1"))
    reloop.run(client.domains.retrieve("dom_1", max_wait=31))
    assert sum(reloop.sleeps) == pytest.approx(30, abs=0.5)


def test_a_retry_after_longer_than_max_wait_is_not_waited_out_across_retries(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: _throttled("20"), rate_limits=[], max_retries=3, max_wait=30)
    with pytest.raises(h.module.RateLimitError) as raised:
        h.run(sample.call(client))
    # One 20 s wait fits in 30 s, a second would not: two requests, one sleep, then the 429 itself.
    assert len(h.requests) == 2 and h.sleeps == [pytest.approx(20, abs=0.01)]
    assert raised.value.status_code == 429 and "max_wait" in str(raised.value)


def test_default_budget_is_the_plain_timeout_else_60_seconds(h: Harness) -> None:
    from importlib import import_module

    base = import_module(f"{h.pkg}._base_client")
    request_spec = import_module(f"{h.pkg}._request").RequestSpec
    plain = h.client(lambda r: json_response(200, {}), timeout=7.5)
    assert plain._wait_budget(request_spec("get", "/x")) == 7.5
    assert plain._wait_budget(request_spec("get", "/x", timeout=3)) == 3
    assert plain._wait_budget(request_spec("get", "/x", max_wait=9)) == 9
    structured = h.client(lambda r: json_response(200, {}), timeout=httpx.Timeout(5.0, read=100))
    assert structured._wait_budget(request_spec("get", "/x")) == base.DEFAULT_MAX_WAIT == 60
    with pytest.raises(ValueError, match="max_wait"):
        h.client(lambda r: json_response(200, {}), max_wait=-1)
