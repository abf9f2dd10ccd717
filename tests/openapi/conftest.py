"""Generate fixture specs into temporary folders, import them, drive them through MockTransport.

Each fixture spec is generated once per session; `wire.client(...)` builds a sync or async client
whose requests are recorded, and `wire.call(...)` awaits when the client is async.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from codegen.ir.nodes import Package
from codegen.output.write import write_tree
from codegen.pipeline import generate_package

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "specs"
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Generated:
    module: ModuleType
    package: Package
    root: Path
    modules: dict[str, ModuleType] = field(default_factory=dict)  # the package and all its modules

    @property
    def models(self) -> ModuleType:
        return importlib.import_module(self.package.package + ".models")

    def activate(self) -> None:
        """Both model generators' copies of a package share its name: the one a test uses must be
        the one in sys.modules, where the package's lazy imports look."""
        _forget(self.package.package)
        sys.modules.update(self.modules)


_CACHE: dict[tuple[str, str], Generated] = {}


def generated_fixture(stem: str, tmp_root: Path, models: str = "datamodel-code-generator") -> Generated:
    """The fixture spec's package with its models made by `models`, imported in full."""
    if (stem, models) not in _CACHE:
        spec = next(p for p in SPECS.iterdir() if p.stem == stem and p.suffix in (".yaml", ".yml", ".json"))
        result = generate_package(spec, models=models)
        out = tmp_root / models / stem
        write_tree(out, result.files)
        name = result.package.package
        _forget(name)
        sys.path.insert(0, str(out / "src"))
        try:
            module = importlib.import_module(name)
            for info in pkgutil.walk_packages(module.__path__, name + "."):
                importlib.import_module(info.name)
        finally:
            sys.path.remove(str(out / "src"))
        loaded = {n: m for n, m in sys.modules.items() if n == name or n.startswith(name + ".")}
        _CACHE[stem, models] = Generated(module, result.package, out, loaded)
    return _CACHE[stem, models]


def _forget(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


# Every behaviour test of a fixture spec runs against both model generators (codegen/pipeline.py).
@pytest.fixture(scope="session", params=["datamodel-code-generator", "builtin"])
def fixture_package(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Generated]:
    root = tmp_path_factory.mktemp("openapi-fixtures")

    def get(stem: str) -> Generated:
        generated = generated_fixture(stem, root, request.param)
        generated.activate()
        return generated

    return get


@pytest.fixture(autouse=True)
def _variant_in_use(request: pytest.FixtureRequest) -> None:
    """Re-activate the test's own variant, whatever order the tests run in."""
    if "fixture_package" in request.fixturenames:
        param = request.node.callspec.params.get("fixture_package")
        for (_, models), generated in _CACHE.items():
            if models == param:
                generated.activate()


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
