"""What cannot be typed precisely falls back to a documented loose type, with a warning."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def loose(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("loose")
    return gen


@pytest.mark.parametrize(
    "pointer",
    [
        "/components/schemas/NotString/not",
        "/components/schemas/Conditional/if",
        "/components/schemas/Pair/prefixItems",
        "/components/schemas/Headers/patternProperties",
        "/components/schemas/Mixed/enum",
        "/paths/~1holders/get/parameters/0/schema",
        "/paths/~1anything/post/callbacks",
    ],
)
def test_each_fallback_warns_with_line_and_pointer(loose: Generated, pointer: str) -> None:
    found = [w for w in loose.package.warnings if w.endswith(f"(at {pointer})")]
    assert len(found) == 1, loose.package.warnings
    file, line = found[0].split(": warning: ")[0].rsplit(":", 1)
    assert file.endswith("loose.yaml") and int(line) > 0


def test_loose_values_parse(loose: Generated, wire: Wire) -> None:
    body = {
        "anything": {"a": [1]},
        "not_string": 5,
        "pair": ["a", 1],
        "headers": {"x-a": "1"},
        "mixed": True,
        "conditional": {"country": "US"},
        "free": {"k": None},
        "nested_ref": "FR",
    }
    client = wire.client(loose, lambda r: json_response(body))
    holder = wire.call(client.holders.get(where={"name": "x"}))
    assert holder.anything == {"a": [1]} and holder.pair == ["a", 1] and holder.mixed is True
    assert holder.headers == {"x-a": "1"} and holder.nested_ref == "FR"
    assert wire.last.url.params["where[name]"] == "x"


def test_untyped_body_and_response(loose: Generated, wire: Wire) -> None:
    client = wire.client(loose, lambda r: json_response([1, "two"]))
    assert wire.call(client.holders.post_anything(body={"free": ["form"]})) == [1, "two"]
