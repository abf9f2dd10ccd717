"""Drive the generated clients through httpx.MockTransport, sync and async alike.

`Harness` hides the difference: `h.run(client.contacts.list())` awaits when the client is async.
Sleeps and clocks are replaced so no test really waits.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

Handler = Callable[[httpx.Request], httpx.Response]
API = {
    "reloop": ("Reloop", "AsyncReloop", "RELOOP_API_KEY"),
    "replyio": ("Reply", "AsyncReply", "REPLY_API_KEY"),
}


@dataclass
class Harness:
    pkg: str
    is_async: bool
    loop: asyncio.AbstractEventLoop
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    now: list[float] = field(default_factory=lambda: [1000.0])

    @property
    def module(self) -> Any:
        return importlib.import_module(self.pkg)

    def client(self, handler: Handler, **kwargs: Any) -> Any:
        sync_name, async_name, _ = API[self.pkg]

        def recording(request: httpx.Request) -> httpx.Response:
            request.read()
            self.requests.append(request)
            return handler(request)

        transport = httpx.MockTransport(recording)
        http = httpx.AsyncClient(transport=transport) if self.is_async else httpx.Client(transport=transport)
        kwargs.setdefault("api_key", "sk-test-secret-key")
        kwargs.setdefault("rate_limits", [])
        cls = getattr(self.module, async_name if self.is_async else sync_name)
        client = cls(http_client=http, **kwargs)
        self.fake_time(client)
        return client

    def fake_time(self, client: Any) -> None:
        def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            self.now[0] += seconds

        async def async_sleep(seconds: float) -> None:
            sleep(seconds)

        client._sleep = sleep
        client._async_sleep = async_sleep
        client._clock = lambda: self.now[0]
        client._rng = lambda: 0.0
        limiter = client.rate_limiter
        if type(limiter).__name__ == "RateLimiter":
            # The client's own limiter waits on the same fake clock, so holds never really sleep.
            limiter._sleep = sleep
            limiter._async_sleep = async_sleep
            limiter._clock = lambda: self.now[0]
            limiter._wall_clock = lambda: self.now[0]

    def run(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return self.loop.run_until_complete(value)
        return value

    def collect(self, page: Any) -> list[Any]:
        if self.is_async:

            async def gather() -> list[Any]:
                return [item async for item in page]

            return self.loop.run_until_complete(gather())
        return list(page)


@pytest.fixture(params=["reloop", "replyio"])
def pkg(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def h(pkg: str, is_async: bool, loop: asyncio.AbstractEventLoop) -> Harness:
    return Harness(pkg, is_async, loop)


@pytest.fixture
def reply(is_async: bool, loop: asyncio.AbstractEventLoop) -> Harness:
    return Harness("replyio", is_async, loop)


@pytest.fixture
def reloop(is_async: bool, loop: asyncio.AbstractEventLoop) -> Harness:
    return Harness("reloop", is_async, loop)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content_type = "application/json"
    return httpx.Response(status, json=body, headers={"content-type": content_type, **(headers or {})})
