"""A real HTTP server on loopback that counts every request it receives, per method and path.

`CountingServer` is a stdlib `ThreadingHTTPServer` on a daemon thread. A request is counted once
its whole body has been read, before the answer is written: a test that sees the count knows the
server got (and could have applied) the request. Answers are the canned JSON bodies of `ROUTES`,
padded so a response cut in half is cut inside its body.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DOMAIN = {
    "id": "dom_1",
    "domain": "example.com",
    "status": "active",
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-02T00:00:00Z",
}
# (method, path) -> (status, body); bodies parse into the operations' declared models.
ROUTES: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", "/v3/whoami"): (200, {"userId": 7, "username": "ada", "teamId": 3}),
    ("POST", "/v3/contacts"): (201, {"id": 1, "email": "ada@example.com"}),
    ("DELETE", "/v3/contacts/1001"): (204, None),
    ("GET", "/api/domain/v1/dom_1"): (200, DOMAIN),
    ("DELETE", "/api/domain/v1/dom_1"): (200, DOMAIN),
    ("POST", "/api/mail/v1/send"): (200, {"success": True, "id": "em_1"}),
}
PADDING = "x" * 2000  # an unknown field (models allow extras), so half a body is well inside it


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        self.server.count(self.command, path)
        status, body = ROUTES.get((self.command, path), (404, {"message": "no such route"}))
        payload = b"" if body is None else json.dumps({**body, "padding": PADDING}).encode()
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def count(self, method: str, path: str) -> None:
        with self.lock:
            self.counts[(method, path)] += 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a proxy that resets the connection mid-answer is what these tests are about


class CountingServer:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, name="counting-server", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.address[1]}"

    def count(self, method: str, path: str) -> int:
        with self._server.lock:
            return self._server.counts[(method.upper(), path)]

    def reset(self) -> None:
        with self._server.lock:
            self._server.counts.clear()

    def start(self) -> CountingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
