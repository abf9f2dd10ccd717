"""Install, start and stop Prism (the npm package @stoplight/prism-cli) for the contract tests.

Prism is installed into `.tools/` (git-ignored) once and reused; its version is read from the
Makefile so `make prism` and the tests always agree on it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
PRISM = TOOLS / "node_modules" / ".bin" / "prism"
STARTUP_TIMEOUT = 90.0


def prism_version() -> str:
    match = re.search(r"^PRISM_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), flags=re.M)
    assert match, "Makefile must define PRISM_VERSION"
    return match.group(1)


def _missing_tool(what: str) -> None:
    message = f"{what} is required for the Prism contract tests: install Node.js 18+ and npm (e.g. apt-get install nodejs npm)"
    # In CI a missing toolchain is a broken machine, never a reason to pass quietly.
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def ensure_prism() -> Path:
    """The prism executable, installing the pinned version into .tools/ when it is not there."""
    if shutil.which("node") is None:
        _missing_tool("node")
    version = prism_version()
    if PRISM.exists() and _installed_version() == version:
        return PRISM
    npm = shutil.which("npm")
    if npm is None:
        _missing_tool("npm")
    assert npm is not None
    result = subprocess.run(
        [
            npm,
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(TOOLS),
            f"@stoplight/prism-cli@{version}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0 or not PRISM.exists():
        pytest.fail(
            f"npm install of @stoplight/prism-cli@{version} failed:\n{result.stdout}\n{result.stderr}", pytrace=False
        )
    return PRISM


def _installed_version() -> str | None:
    package_json = TOOLS / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        import json

        return str(json.loads(package_json.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrismServer:
    spec: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    base_url: str = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, deadline: float) -> None:
        """Block until Prism answers HTTP (any status: an unknown path gives 404 once it listens)."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prism exited with {self.process.returncode} on {self.spec.name}:\n{self.tail()}")
            try:
                httpx.get(self.base_url + "/__ready__", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"prism did not answer on {self.base_url} within {STARTUP_TIMEOUT:.0f}s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_prism(prism: Path, spec: Path, log_dir: Path) -> PrismServer:
    """`prism mock` on a free loopback port."""
    port = free_port()
    log = log_dir / f"prism-{spec.stem}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            # Answers are the spec's examples, unless a request says `Prefer: dynamic=true`: then
            # they are generated from the schemas, seeded (repeatable) and without invented keys.
            [
                str(prism),
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "--seed",
                "contract-tests",
                "--json-schema-faker-fillProperties=false",
                str(spec),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
    return PrismServer(spec, port, process, log)
