"""The client writes the query string itself (one URL parse per request instead of two); the URL
must be the one httpx's own params= would have built."""

from __future__ import annotations

import importlib

import httpx
import pytest

QUERY: dict[str, object] = {
    "q": "a b&c=d/ü+",
    "ids": [1, 2, 3],
    "flag": True,
    "filter": {"status": "active", "owner": "ada lovelace"},
    "skip": None,
    "when": "2026-01-01T00:00:00+00:00",
}


@pytest.mark.parametrize(("package", "client"), [("reloop", "Reloop"), ("replyio", "Reply")])
def test_query_string_matches_httpx_params(package: str, client: str) -> None:
    module = importlib.import_module(package)
    request_module = importlib.import_module(f"{package}._request")
    http = httpx.Client()
    sdk = getattr(module, client)(api_key="k", base_url="https://api.example.com", http_client=http, rate_limits=[])
    spec = request_module.RequestSpec(method="get", path="/v1/things", query=QUERY, extra_query={"page": 2})
    built = sdk._build_request(http, spec)
    pairs = request_module.encode_query({**QUERY, "page": 2})
    expected = http.build_request("GET", "https://api.example.com/v1/things", params=pairs).url
    assert built.url == expected
    assert built.url.params.get_list("ids") == ["1", "2", "3"]
    assert built.url.params["q"] == "a b&c=d/ü+"


@pytest.mark.parametrize(("package", "client"), [("reloop", "Reloop"), ("replyio", "Reply")])
def test_no_query_leaves_the_url_bare(package: str, client: str) -> None:
    module = importlib.import_module(package)
    request_module = importlib.import_module(f"{package}._request")
    http = httpx.Client()
    sdk = getattr(module, client)(api_key="k", base_url="https://api.example.com", http_client=http, rate_limits=[])
    built = sdk._build_request(http, request_module.RequestSpec(method="get", path="/v1/things", query={"skip": None}))
    assert str(built.url) == "https://api.example.com/v1/things"
