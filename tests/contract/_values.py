"""Argument values built from a spec: its examples first, else a minimal value from the schema.

Only what the document says is used, so a request Prism rejects points at the spec or at the
client, never at knowledge hidden in the test.
"""

from __future__ import annotations

from typing import Any

_NO_EXAMPLE = object()
_STRING_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "10:00:00",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


class Resolver:
    """Follows local $refs of one document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        for _ in range(50):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        raise ValueError("reference cycle")


def example_of(node: dict[str, Any]) -> Any:
    """The first example a parameter, media type or schema declares, or _NO_EXAMPLE."""
    if "example" in node:
        return node["example"]
    examples = node.get("examples")
    if isinstance(examples, dict) and examples:
        first = next(iter(examples.values()))
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    if isinstance(examples, list) and examples:
        return examples[0]
    return _NO_EXAMPLE


def has_example(value: Any) -> bool:
    return value is not _NO_EXAMPLE


def value_for(schema: Any, resolver: Resolver, depth: int = 0) -> Any:
    """A value valid against `schema`, preferring what the schema itself shows."""
    schema = resolver.resolve(schema)
    if not isinstance(schema, dict) or depth > 12:
        return "x"
    if "const" in schema:
        return schema["const"]
    example = example_of(schema)
    if has_example(example):
        return example
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    enum = [v for v in schema.get("enum") or [] if v is not None]
    if enum:
        return enum[0]
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = value_for(part, resolver, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        own = _object(schema, resolver, depth) if "properties" in schema or "required" in schema else {}
        return {**merged, **own}
    for key in ("oneOf", "anyOf"):
        branches = [b for b in schema.get(key) or [] if resolver.resolve(b).get("type") != "null"]
        if branches:
            return value_for(branches[0], resolver, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return _object(schema, resolver, depth)
    if kind == "array":
        count = max(int(schema.get("minItems") or 0), 1)
        item = value_for(schema.get("items") or {}, resolver, depth + 1)
        return [item] * count if not schema.get("uniqueItems") or count == 1 else [item]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "string" or kind is None:
        text = _STRING_FORMATS.get(str(schema.get("format")), "x")
        return text.ljust(int(schema.get("minLength") or 0), "x")
    return "x"


def _object(schema: dict[str, Any], resolver: Resolver, depth: int) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for name in schema.get("required") or []:
        out[name] = value_for(properties.get(name, {}), resolver, depth + 1)
    return out
