"""Fixtures for the rate-limit tests: the runtime modules, imported through both generated
packages (tests/conftest.py puts their src dirs on sys.path)."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ._redis_server import RedisServer

PACKAGES = ("reloop", "replyio")


@pytest.fixture(params=PACKAGES)
def pkg(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rl(pkg: str) -> ModuleType:
    """`<pkg>._ratelimit`."""
    return importlib.import_module(f"{pkg}._ratelimit")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A throwaway redis-server of this test's own, that it may kill, restart and pause."""
    from .test_redis import _unavailable

    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server binary not found on PATH")
    if importlib.util.find_spec("redis") is None:
        _unavailable("redis-py (the 'redis' package) is not installed")
    assert binary is not None
    server = RedisServer(binary, tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def rlr(pkg: str) -> ModuleType:
    """`<pkg>._ratelimit_redis`."""
    return importlib.import_module(f"{pkg}._ratelimit_redis")
