"""A loopback HTTP server that enforces a sliding-window quota, like a strict API would.

Every GET (for example `GET /v3/whoami`) counts against all windows: when a window of
`requests` per `per` seconds already holds `requests` accepted arrivals, the server answers
429 with `Retry-After` (and a problem+json body); otherwise 200 with
`{"userId": 1, "username": "bench", "teamId": 7}` (a Reloop domain for
`GET /api/domain/v1/<id>`). Rejected requests do not count.

Control endpoints (not counted): `GET /__stats` (accepted, rejected, arrival times) and
`POST /__reset`.

Usable in-process (`QuotaServer(...).start()`, a ThreadingHTTPServer on a daemon thread) or
as a separate process: `python benchmarks/_quota_server.py --windows 10/1,30/4` prints
`PORT <n>` and serves until stdin closes or it is terminated.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WHOAMI = {"userId": 1, "username": "bench", "teamId": 7}
# Reloop's `domains.retrieve(...)` (GET /api/domain/v1/<id>) gets a domain instead.
DOMAIN = {
    "id": "dom_1",
    "domain": "example.com",
    "status": "active",
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-02T00:00:00Z",
}


class SlidingQuota:
    """Thread-safe sliding-log quota over several windows."""

    def __init__(
        self,
        windows: Sequence[tuple[int, float]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.windows = list(windows)
        self.clock = clock
        self.lock = threading.Lock()
        self.logs: list[deque[float]] = [deque() for _ in self.windows]
        self.accepted: list[float] = []
        self.rejected: list[float] = []
        self.epoch = clock()

    def reset(self) -> None:
        with self.lock:
            self.logs = [deque() for _ in self.windows]
            self.accepted.clear()
            self.rejected.clear()
            self.epoch = self.clock()

    def admit(self) -> float | None:
        """Record an arrival. None when accepted, else seconds until it would be."""
        with self.lock:
            now = self.clock()
            wait = 0.0
            for (requests, per), log in zip(self.windows, self.logs, strict=True):
                while log and log[0] <= now - per:
                    log.popleft()
                if len(log) >= requests:
                    wait = max(wait, log[len(log) - requests] + per - now)
            if wait > 0:
                self.rejected.append(now - self.epoch)
                return wait
            for log in self.logs:
                log.append(now)
            self.accepted.append(now - self.epoch)
            return None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "accepted": len(self.accepted),
                "rejected": len(self.rejected),
                "arrivals": list(self.accepted),
                "rejections": list(self.rejected),
                "epoch": self.epoch,  # time.monotonic() of the reset: the same clock in every process
                "windows": [list(w) for w in self.windows],
            }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm
    # and the client's delayed ACK add about 40 ms to every keep-alive response.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: object, headers: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path == "/__stats":
            self._send(200, self.server.quota.stats(), {"Content-Type": "application/json"})
            return
        wait = self.server.quota.admit()
        if wait is None:
            body = DOMAIN if self.path.startswith("/api/domain/v1/") else WHOAMI
            self._send(200, body, {"Content-Type": "application/json"})
            return
        retry = str(max(1, math.ceil(wait))) if self.server.integer_retry_after else f"{wait:.3f}"
        problem = {
            "title": "Too Many Requests",
            "status": 429,
            "detail": f"Rate limit exceeded. Retry after {retry} seconds.",
        }
        self._send(
            429,
            problem,
            {"Content-Type": "application/problem+json", "Retry-After": retry},
        )

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/__reset":
            self.server.quota.reset()
            self._send(200, {"ok": True}, {"Content-Type": "application/json"})
        else:
            self.do_GET()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], quota: SlidingQuota, integer_retry_after: bool) -> None:
        super().__init__(address, _Handler)
        self.quota = quota
        self.integer_retry_after = integer_retry_after


class QuotaServer:
    """In-process quota server on 127.0.0.1 (a free port unless one is given)."""

    def __init__(
        self,
        windows: Sequence[tuple[int, float]],
        *,
        port: int = 0,
        integer_retry_after: bool = True,
    ) -> None:
        self.quota = SlidingQuota(windows)
        self._server = _Server(("127.0.0.1", port), self.quota, integer_retry_after)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> QuotaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> QuotaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def parse_windows(text: str) -> list[tuple[int, float]]:
    """`"10/1,30/4"` -> [(10, 1.0), (30, 4.0)]."""
    windows = []
    for part in text.split(","):
        requests, per = part.split("/")
        windows.append((int(requests), float(per)))
    return windows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", default="10/1,30/4", help="e.g. 10/1,30/4")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--fractional-retry-after",
        action="store_true",
        help="send Retry-After with milliseconds instead of whole seconds",
    )
    args = parser.parse_args(argv)
    server = QuotaServer(
        parse_windows(args.windows),
        port=args.port,
        integer_retry_after=not args.fractional_retry_after,
    ).start()
    print(f"PORT {server.port}", flush=True)
    try:
        sys.stdin.read()  # serve until the parent closes our stdin
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
