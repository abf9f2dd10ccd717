"""Fixtures for the rate-limit tests: the runtime modules, imported through both generated
packages (tests/conftest.py puts their src dirs on sys.path)."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

PACKAGES = ("reloop", "replyio")


@pytest.fixture(params=PACKAGES)
def pkg(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rl(pkg: str) -> ModuleType:
    """`<pkg>._ratelimit`."""
    return importlib.import_module(f"{pkg}._ratelimit")
