"""Fixtures for the fault tests: a counting HTTP server, a fault proxy in front of it, and the
generated clients (sync and async, both packages) on fake sleeps and clocks.

Only the network is real here: retry backoff and rate-limit waits go to a recording fake sleep,
so the durations a test asserts come from the fake clock. Network timeouts are real but short
(`READ_TIMEOUT`), so the suite stays fast.
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

from ._proxy import FaultProxy
from ._server import CountingServer

READ_TIMEOUT = 0.3
API = {"reloop": ("Reloop", "AsyncReloop"), "replyio": ("Reply", "AsyncReply")}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    invoke: Callable[[Any], Any]


CALLS: dict[str, dict[str, Call]] = {
    "replyio": {
        "GET": Call("GET", "/v3/whoami", lambda c: c.whoami.retrieve()),
        "DELETE": Call("DELETE", "/v3/contacts/1001", lambda c: c.contacts.delete(1001)),
        "POST": Call("POST", "/v3/contacts", lambda c: c.contacts.create(email="ada@example.com")),
    },
    "reloop": {
        "GET": Call("GET", "/api/domain/v1/dom_1", lambda c: c.domains.retrieve("dom_1")),
        "DELETE": Call("DELETE", "/api/domain/v1/dom_1", lambda c: c.domains.delete("dom_1")),
        "POST": Call(
            "POST",
            "/api/mail/v1/send",
            lambda c: c.mail.send(from_="a@example.com", to=["b@example.com"], subject="Hi", html="x"),
        ),
    },
}


@dataclass
class FakeTime:
    """Sleeps that only advance a clock; `on_sleep` runs inside each (to bring a service back)."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)
    on_sleep: Callable[[], None] | None = None

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            hook, self.on_sleep = self.on_sleep, None
            hook()

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def install(self, client: Any) -> None:
        client._sleep = self.sleep
        client._async_sleep = self.async_sleep
        client._clock = lambda: self.now
        client._wall_clock = lambda: self.now
        client._rng = lambda: 0.0  # backoff without jitter: 0.5 s, 1 s, ...
        limiter = client.rate_limiter
        limiter._sleep = self.sleep
        limiter._async_sleep = self.async_sleep
        limiter._clock = lambda: self.now
        limiter._wall_clock = lambda: self.now


@dataclass
class Clients:
    pkg: str
    is_async: bool
    time: FakeTime

    @property
    def module(self) -> Any:
        return importlib.import_module(self.pkg)

    def make(self, base_url: str, **kwargs: Any) -> Any:
        sync_name, async_name = API[self.pkg]
        cls = getattr(self.module, async_name if self.is_async else sync_name)
        kwargs.setdefault("api_key", "sk-test-secret-key")
        kwargs.setdefault("rate_limits", [])
        kwargs.setdefault("timeout", httpx.Timeout(5.0, read=READ_TIMEOUT))
        client = cls(base_url=base_url, **kwargs)
        self.time.install(client)
        return client

    def call(self, client: Any, method: str) -> Any:
        """Make one call and close the client; returns the result or raises the client's error."""
        return self.calls(client, [method])[-1]

    def calls(self, client: Any, methods: list[str], between: Callable[[], object] | None = None) -> list[Any]:
        """Calls one after the other on one client (`between` runs between two), then close it."""
        invokes = [CALLS[self.pkg][method].invoke for method in methods]

        async def run_async() -> list[Any]:
            results = []
            try:
                for i, invoke in enumerate(invokes):
                    if i and between is not None:
                        between()
                    results.append(await invoke(client))
            finally:
                await client.aclose()
            return results

        if self.is_async:
            return asyncio.run(run_async())
        results = []
        try:
            for i, invoke in enumerate(invokes):
                if i and between is not None:
                    between()
                value = invoke(client)
                assert not inspect.isawaitable(value)
                results.append(value)
        finally:
            client.close()
        return results


@pytest.fixture(scope="module")
def server() -> Iterator[CountingServer]:
    started = CountingServer().start()
    yield started
    started.stop()


@pytest.fixture
def proxy(server: CountingServer) -> Iterator[FaultProxy]:
    server.reset()
    with FaultProxy(server.address) as running:
        yield running


@pytest.fixture(params=["reloop", "replyio"])
def pkg(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def clients(request: pytest.FixtureRequest, pkg: str) -> Clients:
    return Clients(pkg, bool(request.param), FakeTime())
