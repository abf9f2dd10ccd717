"""Real network faults between the generated clients and a real server, through `FaultProxy`.

For every fault, sync and async, both packages: an idempotent call (GET, DELETE) is retried and
succeeds; a POST the server may have applied is not sent again and raises the exact error class,
which says so; the server's own count of what it received proves both. Retry waits come from the
fake clock (backoff without jitter: 0.5 s, then 1 s).
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from ._proxy import Fault, FaultProxy
from ._server import CountingServer
from .conftest import CALLS, Clients

pytestmark = pytest.mark.realclock  # read timeouts of 0.3 s are real

SECRET = "sk-test-secret-key"
IDEMPOTENT = ["GET", "DELETE"]
# fault -> (error class of a POST, requests the server received for it)
POST_OUTCOMES = {
    "reset_before": ("APIConnectionError", 0),
    "reset_after": ("APIConnectionError", 1),
    "cut_body": ("APIConnectionError", 1),
    "stall": ("APITimeoutError", 1),
    "slow_headers": ("APITimeoutError", 1),
}
FAULTS = {
    "reset_before": Fault("reset_before"),
    "reset_after": Fault("reset_after"),
    "cut_body": Fault("cut_body"),
    "stall": Fault("stall"),
    "slow_headers": Fault("slow_headers", gap=0.6),  # no byte for longer than the read timeout
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check_error(clients: Clients, err: BaseException, name: str) -> None:
    assert type(err) is getattr(clients.module, name), repr(err)
    assert SECRET not in str(err) and SECRET not in repr(err)
    assert "\n" not in str(err)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("method", IDEMPOTENT)
def test_idempotent_call_is_retried_and_succeeds(
    clients: Clients, proxy: FaultProxy, server: CountingServer, fault: str, method: str
) -> None:
    call = CALLS[clients.pkg][method]
    proxy.plan(FAULTS[fault])
    clients.call(clients.make(proxy.url), method)
    received = 0 if fault == "reset_before" else 1
    assert server.count(call.method, call.path) == received + 1
    assert proxy.applied == [fault, "pass"]
    assert clients.time.sleeps == [0.5]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_post_that_may_have_been_applied_is_not_resent(
    clients: Clients, proxy: FaultProxy, server: CountingServer, fault: str
) -> None:
    call = CALLS[clients.pkg]["POST"]
    proxy.plan(FAULTS[fault])
    with pytest.raises(Exception) as info:
        clients.call(clients.make(proxy.url), "POST")
    name, received = POST_OUTCOMES[fault]
    _check_error(clients, info.value, name)
    assert "may have been applied" in str(info.value)
    assert server.count(call.method, call.path) == received
    assert proxy.connections == 1 and clients.time.sleeps == []


@pytest.mark.parametrize("method", ["GET", "DELETE", "POST"])
def test_slow_headers_within_the_read_timeout_succeed_at_once(
    clients: Clients, proxy: FaultProxy, server: CountingServer, method: str
) -> None:
    """The read timeout bounds each wait for bytes (as in httpx), not the whole answer: a head
    that trickles in, line by line, within it is read as usual."""
    call = CALLS[clients.pkg][method]
    proxy.plan(Fault("slow_headers", gap=0.05))
    clients.call(clients.make(proxy.url), method)
    assert server.count(call.method, call.path) == 1
    assert proxy.connections == 1 and clients.time.sleeps == []


@pytest.mark.parametrize("method", ["GET", "DELETE", "POST"])
def test_connection_refused_is_retried_for_any_method(clients: Clients, server: CountingServer, method: str) -> None:
    """Nothing listens on the port at first; the service comes back during the first backoff."""
    server.reset()
    call = CALLS[clients.pkg][method]
    port = _free_port()
    proxy = FaultProxy(server.address, port=port)
    clients.time.on_sleep = proxy.start
    try:
        clients.call(clients.make(f"http://127.0.0.1:{port}"), method)
    finally:
        proxy.stop()
    assert server.count(call.method, call.path) == 1
    assert clients.time.sleeps == [0.5]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_connection_refused_to_the_end_raises_connection_error(clients: Clients, method: str) -> None:
    with pytest.raises(Exception) as info:
        clients.call(clients.make(f"http://127.0.0.1:{_free_port()}"), method)
    _check_error(clients, info.value, "APIConnectionError")
    assert "may have been applied" not in str(info.value)
    assert clients.time.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(("fault", "name"), [("reset_after", "APIConnectionError"), ("stall", "APITimeoutError")])
def test_get_raises_once_retries_are_used_up(
    clients: Clients, proxy: FaultProxy, server: CountingServer, fault: str, name: str
) -> None:
    call = CALLS[clients.pkg]["GET"]
    proxy.plan(*[FAULTS[fault]] * 3)
    with pytest.raises(Exception) as info:
        clients.call(clients.make(proxy.url), "GET")
    _check_error(clients, info.value, name)
    assert server.count(call.method, call.path) == 3
    assert clients.time.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("reset", [False, True], ids=["fin", "rst"])
def test_post_after_the_server_closed_an_idle_connection_is_sent_once(
    clients: Clients, proxy: FaultProxy, server: CountingServer, reset: bool
) -> None:
    """A kept-alive connection the server closed while idle is not reused: the next POST goes
    out on a new connection, once, instead of failing as 'may have been applied'."""
    call = CALLS[clients.pkg]["POST"]
    dropped: list[int] = []
    results: list[Any] = clients.calls(
        clients.make(proxy.url), ["POST", "POST"], between=lambda: dropped.append(proxy.drop_connections(reset=reset))
    )
    assert all(result is not None for result in results)
    assert dropped == [1]
    assert server.count(call.method, call.path) == 2
    assert proxy.connections == 2 and clients.time.sleeps == []
