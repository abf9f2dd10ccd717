"""Rate limits as users meet them through the client: spec quotas, overrides, waits, 429 holds."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Harness, json_response
from .samples import SAMPLES


def _limiter(h: Harness, limits: list[object]) -> object:
    def sleep(seconds: float) -> None:
        h.sleeps.append(seconds)
        h.now[0] += seconds

    async def async_sleep(seconds: float) -> None:
        sleep(seconds)

    return h.module.RateLimiter(
        limits, clock=lambda: h.now[0], wall_clock=lambda: h.now[0], sleep=sleep, async_sleep=async_sleep
    )


def test_spec_quotas_are_the_default(h: Harness) -> None:
    client = h.client(lambda r: json_response(200, {}), rate_limits=None)
    limits = {(q.requests, q.per, q.group) for q in client.rate_limiter.limits}
    if h.pkg == "replyio":
        assert {(100, 60, None), (3000, 3600, None), (10, 60, "reporting")} <= limits
    else:
        assert {
            (10, 60, "domains.create"),
            (200, 60, "contacts.create"),
            (50, 60, "mail.send"),
            (5000, 86400, "mail.send"),
        } <= limits


def test_override_and_disable(h: Harness) -> None:
    RateLimit = h.module.RateLimit
    custom = h.client(lambda r: json_response(200, {}), rate_limits=[RateLimit(requests=5, per=1)])
    assert [(q.requests, q.per) for q in custom.rate_limiter.limits] == [(5, 1)]
    off = h.client(lambda r: json_response(200, {}), rate_limits=[])
    assert off.rate_limiter.limits == ()


def test_client_waits_before_exceeding_a_window(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    limiter = _limiter(h, [h.module.RateLimit(requests=2, per=10)])
    client = h.client(lambda r: json_response(200, sample.body), rate_limits=limiter)
    for _ in range(3):
        h.run(sample.call(client))
    assert len(h.requests) == 3
    assert len(h.sleeps) == 1 and 9.9 <= h.sleeps[0] <= 10.2


def test_429_holds_later_requests_and_state_is_readable(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    answers = iter(
        [
            json_response(
                429,
                {"message": "slow"},
                {"retry-after": "30", "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0"},
            ),
            json_response(
                200, sample.body, {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "99", "x-ratelimit-reset": "60"}
            ),
        ]
    )
    limiter = _limiter(h, [])
    client = h.client(lambda r: next(answers), rate_limits=limiter)
    h.run(sample.call(client))
    assert len(h.requests) == 2 and sum(h.sleeps) >= 30
    state = client.rate_limit_state
    quota = next(iter(state.values()))
    assert quota.limit == 100 and quota.remaining == 99


def test_one_limiter_shared_by_two_clients(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    limiter = _limiter(h, [h.module.RateLimit(requests=1, per=5)])
    first = h.client(lambda r: json_response(200, sample.body), rate_limits=limiter)
    second = h.client(lambda r: json_response(200, sample.body), rate_limits=limiter)
    h.run(sample.call(first))
    h.run(sample.call(second))
    assert len(h.sleeps) == 1 and h.sleeps[0] >= 5


def test_redis_is_not_imported_without_use(pkg: str) -> None:
    import subprocess
    import sys

    code = f"import sys, {pkg}; c = {pkg}.{'Reply' if pkg == 'replyio' else 'Reloop'}(api_key='k'); assert 'redis' not in sys.modules"
    env_path = ":".join(p for p in sys.path if "generated" in p)
    done = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": env_path}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_grouped_limit_applies_only_to_its_operations(reloop: Harness) -> None:
    sample = SAMPLES["reloop"]
    limits = [reloop.module.RateLimit(requests=1, per=60, group="mail.send")]

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(200, sample.post_body if request.method == "POST" else sample.body)

    client = reloop.client(handler, rate_limits=_limiter(reloop, limits), max_wait=120)
    reloop.run(sample.post(client))
    reloop.run(sample.call(client))
    reloop.run(sample.call(client))
    assert reloop.sleeps == []
    reloop.run(sample.post(client))
    assert len(reloop.sleeps) == 1 and reloop.sleeps[0] >= 59.9


def test_reply_linkedin_daily_cap_holds_only_linkedin_sends(reply: Harness) -> None:
    sample = SAMPLES["replyio"]

    def handler(request: httpx.Request) -> httpx.Response:
        if "linkedin" in request.url.path:
            return json_response(
                429,
                {"title": "Too Many Requests", "status": 429, "code": "directLinkedIn.dailyLimitReached"},
                {"retry-after": "3600"},
            )
        return json_response(200, sample.body)

    client = reply.client(handler, rate_limits=_limiter(reply, []), max_retries=0)
    with pytest.raises(reply.module.RateLimitError):
        reply.run(client.direct_outreach.send_linkedin_connect(1, linked_in_account_id=1))
    reply.run(sample.call(client))
    assert reply.sleeps == []
