"""A request ended by a transport error: the client tells its limiter at once (`failed`), so
the request does not stay counted as in flight. One that never left the client (connecting
failed) leaves the windows; one the server may have received counts as answered at the failure."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

CLIENTS = {"replyio": ("Reply", "AsyncReply"), "reloop": ("Reloop", "AsyncReloop")}
BODIES = {
    "replyio": {"userId": 1, "username": "u", "teamId": 7},
    "reloop": {
        "id": "dom_1",
        "domain": "example.com",
        "status": "active",
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-02T00:00:00Z",
    },
}


def _call(pkg: str, client: Any) -> Any:
    return client.whoami.retrieve() if pkg == "replyio" else client.domains.retrieve("d")


def _run(pkg: str, is_async: bool, limiter: Any, handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> Any:
    """One call through the generated client on `handler`; returns the error it raised, if any."""
    module = importlib.import_module(pkg)
    sync_name, async_name = CLIENTS[pkg]
    transport = httpx.MockTransport(handler)
    options = {"api_key": "sk-test", "rate_limits": limiter, "max_wait": 120, **kw}
    if is_async:

        async def go() -> Any:
            async with httpx.AsyncClient(transport=transport) as http:
                client = getattr(module, async_name)(http_client=http, **options)
                try:
                    await _call(pkg, client)
                except module.APIError as exc:
                    return exc
            return None

        return asyncio.run(go())
    with httpx.Client(transport=transport) as http:
        client = getattr(module, sync_name)(http_client=http, **options)
        try:
            _call(pkg, client)
        except module.APIError as exc:
            return exc
    return None


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _limiter(rl: Any, now: list[float]) -> Any:
    return rl.RateLimiter([rl.RateLimit(5, 10.0)], clock=lambda: now[0])


def test_a_request_never_sent_leaves_the_windows(pkg: str, rl: Any, is_async: bool) -> None:
    """Connecting failed, then the retry succeeded: one request reached the server, one counts."""
    now = [100.0]
    limiter = _limiter(rl, now)
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=BODIES[pkg])

    assert _run(pkg, is_async, limiter, handler, max_retries=1) is None
    started, flying = limiter.policy.started(0)
    assert len(calls) == 2 and len(started) == 1 and flying == ()


def test_a_request_that_may_have_arrived_counts_as_answered_at_the_failure(pkg: str, rl: Any, is_async: bool) -> None:
    """A read timeout after a first answered call: the request is no longer in flight (it would
    count until this task acquired again, or 60 s) but stays in the window from the failure."""
    now = [100.0]
    limiter = _limiter(rl, now)
    module = importlib.import_module(pkg)
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(200, json=BODIES[pkg])
        now[0] += 2.0  # the failure comes later than the start
        raise httpx.ReadTimeout("slow", request=request)

    assert _run(pkg, is_async, limiter, handler, max_retries=0) is None
    error = _run(pkg, is_async, limiter, handler, max_retries=0)
    assert isinstance(error, module.APITimeoutError)
    started, flying = limiter.policy.started(0)
    assert flying == () and started == (100.0, 102.0)


def test_report_failure_leaves_limiters_without_failed_alone(rl: Any) -> None:
    """`failed` is optional: a limiter of the user's own without it is not called."""

    class Own:
        def acquire(self, group: str | None = None, max_wait: float | None = None) -> float:
            return 0.0

        async def aacquire(self, group: str | None = None, max_wait: float | None = None) -> float:
            return 0.0

        def observe(self, group: str | None, status_code: int, headers: Any) -> float | None:
            return None

        def snapshot(self) -> dict[str | None, Any]:
            return {}

    own = Own()
    assert isinstance(own, rl.SupportsRateLimiting)
    rl.report_failure(own, None, sent=True)  # nothing to call, nothing raised
