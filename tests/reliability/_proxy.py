"""A fault-injecting TCP proxy on loopback, between a client and a real HTTP server.

`FaultProxy` runs an asyncio server on 127.0.0.1 in a thread of its own (its own event loop),
so sync and async clients alike talk to it over real sockets. Each accepted connection takes the
next fault of the plan (`proxy.plan(...)`); once the plan is used up connections pass through
untouched. A fault connection carries one request and is then closed or reset:

* `reset_before`: the client's first bytes arrive, the proxy resets the connection (RST) without
  opening the upstream one: the server never sees the request;
* `reset_after`: the request is forwarded; when the server's answer starts to arrive (so it has
  read and counted the request) the client connection is reset and the answer dropped;
* `cut_body`: the answer's head and half its body are forwarded, then the connection is closed
  (an answer without a body is cut inside its head);
* `stall`: the same part of the answer is forwarded, then nothing more (a read timeout);
* `slow_headers`: the answer is held back, then its head is sent one line at a time with
  `gap` seconds before each line, then the body.

`cut()` partitions the link: pass-through connections are reset and new ones are reset as soon
as they are accepted, until `heal()`.

Connection refused needs nobody listening: `FaultProxy(port=...)` is only bound by `start()`,
so a test can start it on a port clients already failed to reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

Kind = Literal["pass", "reset_before", "reset_after", "cut_body", "stall", "slow_headers"]
# Upper bound on how long a stalled connection is kept open when the client never gives up.
STALL_LIMIT = 30.0


@dataclass(frozen=True)
class Fault:
    kind: Kind
    gap: float = 0.0  # slow_headers: seconds before each line of the answer's head


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST instead of a FIN (SO_LINGER with a zero timeout)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _read_answer(upstream: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """The server's answer: head (through the blank line) and body (by Content-Length)."""
    head = await upstream.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await upstream.readexactly(length) if length else b""
    return head, body


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, port: int = 0) -> None:
        self.upstream = upstream
        self._port = port
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._passing: set[asyncio.StreamWriter] = set()
        self.connections = 0
        self.applied: list[Kind] = []
        self._cut = False

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def plan(self, *faults: Fault) -> None:
        """Faults for the next connections, in order; later connections pass through."""
        with self._lock:
            self._faults.extend(faults)

    def _next_fault(self) -> Fault:
        with self._lock:
            self.connections += 1
            fault = self._faults.popleft() if self._faults else Fault("pass")
            self.applied.append(fault.kind)
            return fault

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FaultProxy:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._handle, "127.0.0.1", self._port, reuse_address=True)
                )
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            self._port = int(self._server.sockets[0].getsockname()[1])
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    def drop_connections(self, *, reset: bool = False) -> int:
        """Close (FIN, or RST with `reset`) every pass-through connection, as a server does
        with idle keep-alive connections; returns how many it closed."""
        assert self._loop is not None

        async def drop() -> int:
            writers = list(self._passing)
            for writer in writers:
                _reset(writer) if reset else writer.close()
            return len(writers)

        return asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def cut(self) -> int:
        """Reset every connection, and each new one at once, until `heal()`; returns how many
        connections it reset."""
        self._cut = True
        return self.drop_connections(reset=True)

    def heal(self) -> None:
        self._cut = False

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ connections

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        if self._cut:
            _reset(client_w)
            self._handlers.discard(task)
            return
        fault = self._next_fault()
        upstream_w: asyncio.StreamWriter | None = None
        try:
            if fault.kind == "reset_before":
                await client_r.read(1)  # the request has begun to arrive
                _reset(client_w)
                return
            upstream_r, upstream_w = await asyncio.open_connection(*self.upstream)
            if fault.kind == "pass":
                self._passing.add(client_w)
                try:
                    await self._pipe(client_r, client_w, upstream_r, upstream_w)
                finally:
                    self._passing.discard(client_w)
                return
            forward = asyncio.ensure_future(self._copy(client_r, upstream_w))
            try:
                await self._fault(fault, client_w, upstream_r, forward)
            finally:
                forward.cancel()
                await asyncio.gather(forward, return_exceptions=True)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            for writer in (client_w, upstream_w):
                if writer is not None and not writer.is_closing():
                    writer.close()
            self._handlers.discard(task)

    async def _fault(
        self,
        fault: Fault,
        client_w: asyncio.StreamWriter,
        upstream_r: asyncio.StreamReader,
        forward: asyncio.Future[None],
    ) -> None:
        if fault.kind == "reset_after":
            await upstream_r.read(1)  # the server has read the request and begun to answer
            _reset(client_w)
            return
        head, body = await _read_answer(upstream_r)
        if fault.kind in ("cut_body", "stall"):
            # half the body; a bodiless answer (204) is cut inside its head instead
            client_w.write(head + body[: len(body) // 2] if body else head[: len(head) // 2])
            await client_w.drain()
            if fault.kind == "cut_body":
                return  # closed (FIN) by the caller, mid-body
            await asyncio.wait({forward}, timeout=STALL_LIMIT)  # until the client gives up
            return
        if fault.kind == "slow_headers":
            for line in head.split(b"\r\n")[:-1]:
                await asyncio.sleep(fault.gap)
                client_w.write(line + b"\r\n")
                await client_w.drain()
            client_w.write(body)
            await client_w.drain()
            return
        raise ValueError(f"unknown fault {fault.kind!r}")

    async def _copy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()

    async def _pipe(
        self,
        client_r: asyncio.StreamReader,
        client_w: asyncio.StreamWriter,
        upstream_r: asyncio.StreamReader,
        upstream_w: asyncio.StreamWriter,
    ) -> None:
        both = [
            asyncio.ensure_future(self._copy(client_r, upstream_w)),
            asyncio.ensure_future(self._copy(upstream_r, client_w)),
        ]
        try:
            await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in both:
                task.cancel()
            await asyncio.gather(*both, return_exceptions=True)
