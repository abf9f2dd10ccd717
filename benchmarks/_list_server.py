"""Loopback HTTP server for benchmarks/overhead.py: answers every GET with one fixed JSON list and
every POST (its body read and dropped) with a second fixed JSON object, status 201.

Runs in its own process (so it does not compete with the client for the GIL), keep-alive,
TCP_NODELAY. Prints its port on stdout, then serves until stdin closes.

    python benchmarks/_list_server.py BODY.json [POST_BODY.json]
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def _handler(payload: bytes, created: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Without it Nagle's algorithm and delayed ACKs add ~40 ms to each keep-alive answer.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(created)))
            self.end_headers()
            self.wfile.write(created)

    return Handler


def main() -> None:
    payload = Path(sys.argv[1]).read_bytes()
    created = Path(sys.argv[2]).read_bytes() if len(sys.argv) > 2 else b"{}"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(payload, created))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # the benchmark closes stdin (or exits) to stop the server
    server.shutdown()


if __name__ == "__main__":
    main()
