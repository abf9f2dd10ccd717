"""Loopback server for the soak benchmark (`soak.py`), run as its own process.

It answers the calls the soak makes of both clients (Reply.io `GET /v3/whoami`, `POST
/v3/contacts`; Reloop `GET /api/domain/v1/<id>`, `POST /api/mail/v1/send`) and records, per
`X-Soak-Id` header, what it did with every request it received, in arrival order:

* `ok`: answered 2xx (the request was applied);
* `429` / `503`: refused (not applied), with `Retry-After` on every 429 and half the 503s;
* `drop`: read the whole request, then closed the connection without answering (it may have
  been applied, as far as the client can tell).

`--mode faults` picks the answer at random (seeded) with the `--mix` weights; `--mode quota`
answers 200 within sliding windows (`--windows 10/1,30/4`) and 429 beyond them, like
`_quota_server.py`. Control endpoints: `GET /__stats` (JSON: outcomes per id, totals) and
`POST /__reset`. Prints `PORT <n>` and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import struct
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WHOAMI = {"userId": 1, "username": "soak", "teamId": 7}
CONTACT = {"id": 1, "email": "ada@example.com"}
DOMAIN = {
    "id": "dom_1",
    "domain": "example.com",
    "status": "active",
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-02T00:00:00Z",
}
SENT = {"success": True, "id": "em_1"}


def _body(method: str, path: str) -> tuple[int, object] | None:
    if method == "GET" and path == "/v3/whoami":
        return 200, WHOAMI
    if method == "POST" and path == "/v3/contacts":
        return 201, CONTACT
    if method == "GET" and path.startswith("/api/domain/v1/"):
        return 200, DOMAIN
    if method == "POST" and path == "/api/mail/v1/send":
        return 200, SENT
    return None


class _State:
    def __init__(self, mode: str, mix: dict[str, float], windows: list[tuple[int, float]], seed: int) -> None:
        self.mode = mode
        self.mix = mix
        self.windows = windows
        self.seed = seed
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(self.seed)
            self.outcomes: dict[str, list[str]] = {}
            self.totals: Counter[str] = Counter()
            self.logs: list[deque[float]] = [deque() for _ in self.windows]

    def decide(self, soak_id: str) -> tuple[str, float | None]:
        """What to do with one arrival: (outcome, Retry-After seconds or None)."""
        with self.lock:
            if self.mode == "faults":
                outcome = self.rng.choices(list(self.mix), weights=list(self.mix.values()))[0]
                retry_after = (
                    0.02 if outcome == "429" else (0.05 if outcome == "503" and self.rng.random() < 0.5 else None)
                )
            else:
                outcome, retry_after = self._admit()
            self.outcomes.setdefault(soak_id, []).append(outcome)
            self.totals[outcome] += 1
            return outcome, retry_after

    def _admit(self) -> tuple[str, float | None]:
        now = time.monotonic()
        wait = 0.0
        for (requests, per), log in zip(self.windows, self.logs, strict=True):
            while log and log[0] <= now - per:
                log.popleft()
            if len(log) >= requests:
                wait = max(wait, log[len(log) - requests] + per - now)
        if wait > 0:
            return "429", wait
        for log in self.logs:
            log.append(now)
        return "ok", None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"outcomes": self.outcomes, "totals": dict(self.totals)}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        state = self.server.state
        if path == "/__stats":
            self._send(200, state.stats())
            return
        if path == "/__reset":
            state.reset()
            self._send(200, {"ok": True})
            return
        route = _body(self.command, path)
        if route is None:
            self._send(404, {"message": "no such route"})
            return
        outcome, retry_after = state.decide(self.headers.get("X-Soak-Id", "-"))
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:.3f}"}
        if outcome == "ok":
            self._send(route[0], route[1])
        elif outcome == "drop":
            # Read, maybe applied, never answered: reset the connection.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        else:
            status = int(outcome)
            self._send(status, {"title": "refused", "status": status, "message": "try again"}, headers)

    do_GET = do_POST = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients closing connections mid-answer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["faults", "quota"], default="faults")
    parser.add_argument("--mix", default="ok=0.9,429=0.01,503=0.05,drop=0.04", help="faults mode weights")
    parser.add_argument("--windows", default="200/0.2,1500/2", help="quota mode windows")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    windows = [(int(r), float(p)) for r, p in (part.split("/") for part in args.windows.split(","))]
    server = _Server(_State(args.mode, mix, windows, args.seed))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
