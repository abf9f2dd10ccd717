"""Generate fixture specs into temporary folders, import them, drive them through MockTransport.

Each fixture spec is generated once per session; `wire.client(...)` builds a sync or async client
whose requests are recorded, and `wire.call(...)` awaits when the client is async.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from codegen.ir import Package
from codegen.pipeline import generate_package
from codegen.write import write_tree

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "specs"
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Generated:
    module: ModuleType
    package: Package
    root: Path

    @property
    def models(self) -> ModuleType:
        return importlib.import_module(self.package.package + ".models")


_CACHE: dict[str, Generated] = {}


def generated_fixture(stem: str, tmp_root: Path) -> Generated:
    if stem not in _CACHE:
        spec = next(p for p in SPECS.iterdir() if p.stem == stem and p.suffix in (".yaml", ".yml", ".json"))
        result = generate_package(spec)
        out = tmp_root / stem
        write_tree(out, result.files)
        sys.path.insert(0, str(out / "src"))
        _CACHE[stem] = Generated(importlib.import_module(result.package.package), result.package, out)
    return _CACHE[stem]


@pytest.fixture(scope="session")
def fixture_package(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Generated]:
    root = tmp_path_factory.mktemp("openapi-fixtures")
    return lambda stem: generated_fixture(stem, root)


@dataclass
class Wire:
    is_async: bool
    loop: asyncio.AbstractEventLoop
    requests: list[httpx.Request] = field(default_factory=list)

    def client(self, gen: Generated, handler: Handler, **kwargs: Any) -> Any:
        def recording(request: httpx.Request) -> httpx.Response:
            request.read()
            self.requests.append(request)
            return handler(request)

        transport = httpx.MockTransport(recording)
        http = httpx.AsyncClient(transport=transport) if self.is_async else httpx.Client(transport=transport)
        kwargs.setdefault("api_key", "secret-key")
        kwargs.setdefault("max_retries", 0)
        name = gen.package.async_client if self.is_async else gen.package.client
        return getattr(gen.module, name)(http_client=http, **kwargs)

    def call(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return self.loop.run_until_complete(value)
        return value

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    loop = asyncio.new_event_loop()
    yield Wire(bool(request.param), loop)
    loop.close()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)
