"""No public method a user can reach from the clients takes or returns `Any`.

Walks the clients, every resource and sub-resource (plain and with_raw_response, sync and async),
and the page, job and raw-response classes, resolving each annotation at run time.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import typing
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

PACKAGES = {"reloop": ("Reloop", "AsyncReloop"), "replyio": ("Reply", "AsyncReply")}
HELPERS = ("SyncPage", "AsyncPage", "SyncJob", "AsyncJob", "APIResponse")


def _namespace(package: str) -> dict[str, Any]:
    """Names annotations may use, including resource classes imported only for type checkers."""
    names: dict[str, Any] = {}
    for module_name, module in list(sys.modules.items()):
        if module_name == package or module_name.startswith(package + "."):
            names.update({k: v for k, v in vars(module).items() if inspect.isclass(v)})
            if module_name.endswith(".params"):  # TypedDicts and their aliases
                names.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
    return names


def _contains_any(hint: object) -> bool:
    if hint is Any:
        return True
    return any(_contains_any(arg) for arg in typing.get_args(hint))


def _public_callables(cls: type) -> Iterator[tuple[str, Any]]:
    for name in dir(cls):
        if name.startswith("_") and name not in ("__init__", "__iter__", "__aiter__", "__enter__", "__aenter__"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, property):
            yield name, member.fget
        elif hasattr(member, "func"):  # functools.cached_property
            yield name, member.func
        elif inspect.isfunction(member):
            yield name, member


def _reachable_classes(client: object) -> Iterator[type]:
    """The client's class and every resource class reachable through its attributes."""
    seen: set[type] = set()
    stack: list[object] = [client]
    while stack:
        obj = stack.pop()
        if type(obj) in seen:
            continue
        seen.add(type(obj))
        yield type(obj)
        for name, member in vars(type(obj)).items():
            if not name.startswith("_") and hasattr(member, "func"):  # cached_property: a resource
                stack.append(getattr(obj, name))


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_any_in_public_signatures(package: str) -> None:
    module = importlib.import_module(package)
    importlib.import_module(package + ".models")
    importlib.import_module(package + ".params")
    sync_name, async_name = PACKAGES[package]
    clients = [
        getattr(module, sync_name)(api_key="k", http_client=httpx.Client()),
        getattr(module, async_name)(api_key="k", http_client=httpx.AsyncClient()),
    ]
    classes = [cls for client in clients for cls in _reachable_classes(client)]
    classes += [getattr(module, name) for name in HELPERS]
    namespace = _namespace(package)
    offenders: list[str] = []
    checked = 0
    for cls in classes:
        for name, function in _public_callables(cls):
            # The function's own module wins; the namespace only fills in TYPE_CHECKING imports.
            hints = typing.get_type_hints(function, globalns={**namespace, **function.__globals__})
            checked += 1
            for param, hint in hints.items():
                if _contains_any(hint):
                    offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name}: {param} is {hint}")
    assert checked > 500, f"only {checked} methods inspected; the walk missed the resources"
    assert not offenders, "Any in public signatures:\n" + "\n".join(sorted(set(offenders)))
