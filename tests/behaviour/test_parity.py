"""Sync and async clients expose the same resources, methods, parameters and return types."""

from __future__ import annotations

import importlib
import inspect
import re
from functools import cached_property
from typing import Any

import pytest

from .conftest import API


def _normalise(annotation: object) -> str:
    text = str(annotation)
    text = re.sub(r"\bAsync(\w+Resource\w*)\b", r"\1", text)
    return text.replace("AsyncPaginator", "SyncPage").replace("AsyncPage", "SyncPage").replace("AsyncJob", "SyncJob")


def _children(obj: Any) -> dict[str, Any]:
    return {
        name: getattr(obj, name)
        for name, attr in vars(type(obj)).items()
        if isinstance(attr, cached_property) and not name.startswith("_")
    }


def _methods(obj: Any) -> dict[str, Any]:
    return {
        name: attr
        for name, attr in vars(type(obj)).items()
        if inspect.isfunction(attr) and not name.startswith("_") and name != "with_options"
    }


def _compare(sync_obj: Any, async_obj: Any, where: str) -> int:
    sync_methods, async_methods = _methods(sync_obj), _methods(async_obj)
    assert sorted(sync_methods) == sorted(async_methods), f"{where}: methods differ"
    checked = 0
    for name, s in sync_methods.items():
        a = async_methods[name]
        lazy_list = "AsyncPaginator" in str(inspect.signature(a).return_annotation)
        if name not in ("close", "aclose") and not lazy_list:
            assert inspect.iscoroutinefunction(a) and not inspect.iscoroutinefunction(s), f"{where}.{name}"
        ss, sa = inspect.signature(s), inspect.signature(a)
        assert list(ss.parameters) == list(sa.parameters), f"{where}.{name}: parameters differ"
        for p in ss.parameters:
            assert _normalise(ss.parameters[p].annotation) == _normalise(sa.parameters[p].annotation), (
                f"{where}.{name}({p})"
            )
            assert ss.parameters[p].default == sa.parameters[p].default, f"{where}.{name}({p}) default"
        assert _normalise(ss.return_annotation) == _normalise(sa.return_annotation), f"{where}.{name} return"
        checked += 1
    sync_children, async_children = _children(sync_obj), _children(async_obj)
    assert sorted(sync_children) == sorted(async_children), f"{where}: sub-resources differ"
    for name in sync_children:
        checked += _compare(sync_children[name], async_children[name], f"{where}.{name}")
    return checked


@pytest.mark.parametrize("pkg", sorted(API))
def test_sync_and_async_clients_match(pkg: str) -> None:
    module = importlib.import_module(pkg)
    sync_name, async_name, _ = API[pkg]
    sync_client = getattr(module, sync_name)(api_key="k")
    async_client = getattr(module, async_name)(api_key="k")
    assert _children(sync_client), "no resources"
    checked = _compare(sync_client, async_client, pkg)
    assert checked >= 100  # every resource method, plain and raw
