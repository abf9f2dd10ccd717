"""Prism mock servers for both curated specs, started once per session on loopback ports."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ._prism import ROOT, STARTUP_TIMEOUT, PrismServer, ensure_prism, start_prism

SPECS = ("reloop", "reply")
COVERAGE: list[str] = []  # one line per (spec, sync/async) run, shown in the terminal summary


@pytest.fixture(scope="session")
def prism_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PrismServer]]:
    prism = ensure_prism()
    log_dir = tmp_path_factory.mktemp("prism")
    # Both start at once: parsing the larger spec dominates, so the waits overlap.
    servers = {name: start_prism(prism, ROOT / "specs" / f"{name}.yaml", log_dir) for name in SPECS}
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for server in servers.values():
            server.wait_ready(deadline)
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COVERAGE:
        terminalreporter.section("Prism contract coverage")
        for line in COVERAGE:
            terminalreporter.write_line(line)
