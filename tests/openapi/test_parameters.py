"""Path, query, header and cookie parameters on the wire, in every declared style."""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def params(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("parameters")
    return gen


def _search(wire: Wire, client: Any, **extra: Any) -> httpx.Request:
    wire.call(client.search.search([1, 2], ["a", "b"], ["x", "y"], limit=10, **extra))
    return wire.last


def test_path_styles(params: Generated, wire: Wire) -> None:
    client = wire.client(params, lambda r: json_response({}))
    request = _search(wire, client)
    assert request.url.raw_path.split(b"?")[0] == b"/v2/search/1,2/.a,b/;matrix=x;matrix=y"
    assert request.url.host == "params.example.com"  # server variable default


def test_query_styles(params: Generated, wire: Wire) -> None:
    client = wire.client(params, lambda r: json_response({}))
    request = _search(
        wire,
        client,
        tag=["t1", "t2"],
        csv=["a", "b"],
        spaced=["a", "b"],
        piped=[1, 2],
        filter={"status": "open", "owner": "me"},
        point={"x": 1, "y": 2},
        where={"name": "a b"},
        since=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        flag=True,
    )
    pairs = [(k, v) for k, v in request.url.params.multi_items()]
    assert pairs == [
        ("limit", "10"),
        ("tag", "t1"),
        ("tag", "t2"),
        ("csv", "a,b"),
        ("spaced", "a b"),
        ("piped", "1|2"),
        ("filter[status]", "open"),
        ("filter[owner]", "me"),
        ("x", "1"),
        ("y", "2"),
        ("where", '{"name":"a b"}'),
        ("since", "2026-01-02T03:04:05+00:00"),
        ("flag", "true"),
    ]
    assert b"spaced=a%20b" in request.url.raw_path or b"spaced=a+b" in request.url.raw_path
    assert json.loads(unquote(request.url.params["where"])) == {"name": "a b"}


def test_headers_cookies_and_basic_auth(params: Generated, wire: Wire) -> None:
    client = wire.client(params, lambda r: json_response({}), api_key="user:pass")
    request = _search(wire, client, x_trace=["a", "b"], x_count=3, session="s1", prefs=["p", "q"])
    assert request.headers["X-Trace"] == "a,b" and request.headers["X-Count"] == "3"
    assert request.headers["Cookie"] == "session=s1; prefs=p,q"
    assert request.headers["Authorization"] == "Basic dXNlcjpwYXNz"


def test_optional_parameters_left_out(params: Generated, wire: Wire) -> None:
    client = wire.client(params, lambda r: json_response({"echo": True}))
    request = _search(wire, client)
    assert list(request.url.params) == ["limit"] and "Cookie" not in request.headers


def test_deprecated_parameter_warns(params: Generated, wire: Wire) -> None:
    client = wire.client(params, lambda r: json_response({}))
    with pytest.warns(DeprecationWarning, match="parameter legacy is deprecated"):
        _search(wire, client, legacy="old")
    assert wire.last.url.params["legacy"] == "old"


def test_empty_path_value_refused(params: Generated, wire: Wire) -> None:
    client = wire.client(params, lambda r: json_response({}))
    with pytest.raises(ValueError, match="path parameter"):
        wire.call(client.search.search([1], ["a"], "", limit=1))
